import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../shared/log.js';
import type { RecordingRepository } from '../store/recording.repository.js';
import type { FfmpegAdapter } from './ffmpeg.adapter.js';

/**
 * Start-up reconciliation of a camera's recordings tree (`<recordings>/<cameraId>/<UTC day>/`)
 * against the index. A `kill -9` between a segment's rename and its index insert (or an insert
 * that failed) leaves a finished file that nothing would ever index or delete; a sweep
 * interrupted between unlink and row delete leaves a row without its file. Here a file the
 * index does not name is indexed by its own timestamps (the start in its name, the length
 * ffprobe reads) when it is valid, else moved to `<recordings>/quarantine/<cameraId>/` for a
 * person to look at; a row whose file is gone is dropped. `live/` is the recorder's business.
 */

export interface ReconcileDeps {
  recordings: RecordingRepository;
  ffmpeg: Pick<FfmpegAdapter, 'probe'>;
  log: Logger;
  recordingsDir: string;
  now?: () => number;
}

export interface ReconcileResult {
  indexed: number;
  quarantined: number;
  rowsDropped: number;
}

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
/** `<startMs>.ts` or `<startMs>-<n>.ts`, as the recorder names what it indexes. */
const SEGMENT_NAME = /^(\d{12,15})(?:-\d+)?\.ts$/;
const MIN_SEGMENT_S = 0.2;
/** Rounding at segment edges: neighbours may share a few ms without covering the same footage. */
const EDGE_MS = 250;

export const quarantineDirOf = (recordingsDir: string, cameraId: number) => path.join(recordingsDir, 'quarantine', String(cameraId));

export async function reconcileCamera(d: ReconcileDeps, cameraId: number): Promise<ReconcileResult> {
  const result: ReconcileResult = { indexed: 0, quarantined: 0, rowsDropped: 0 };
  const root = path.join(d.recordingsDir, String(cameraId));
  if (!existsSync(root)) return result;
  const rows = await d.recordings.pathsOf(cameraId);
  const indexed = new Set(rows.map((r) => r.path));
  const onDisk = new Set<string>();
  const days = (await readdir(root)).filter((n) => DAY_DIR.test(n)).sort();
  for (const day of days) {
    for (const name of (await readdir(path.join(root, day))).sort()) {
      const rel = [String(cameraId), day, name].join('/');
      onDisk.add(rel);
      if (indexed.has(rel)) continue;
      const file = path.join(root, day, name);
      if (!(await stat(file)).isFile()) continue;
      const why = await indexIfValid(d, cameraId, rel, file, day);
      if (why === null) {
        result.indexed++;
        d.log.info('indexed a recording segment the index did not name', { cameraId, path: rel });
      } else {
        await quarantine(d.recordingsDir, cameraId, file, `${day}-${name}`);
        result.quarantined++;
        d.log.warn('quarantined a recording file the index did not name', { cameraId, path: rel, why });
      }
    }
  }
  const gone = rows.filter((r) => !onDisk.has(r.path)).map((r) => r.id);
  if (gone.length) {
    result.rowsDropped = await d.recordings.delete(gone);
    d.log.warn('dropped recording index rows whose files are gone', { cameraId, rows: gone.length });
  }
  return result;
}

/** Indexes the file and returns null, or returns why it is not valid evidence. */
async function indexIfValid(d: ReconcileDeps, cameraId: number, rel: string, file: string, day: string): Promise<string | null> {
  const m = SEGMENT_NAME.exec(path.basename(file));
  if (!m) return 'not a segment name';
  const startAt = Number(m[1]);
  if (new Date(startAt).toISOString().slice(0, 10) !== day) return 'its start is not in its day folder';
  const { size } = await stat(file);
  const probe = size > 0 ? await d.ffmpeg.probe(file).catch(() => undefined) : undefined;
  if (!probe?.videoCodec || !(probe.durationS >= MIN_SEGMENT_S)) return 'no playable video';
  const endAt = startAt + Math.round(probe.durationS * 1000);
  if (endAt > (d.now ?? Date.now)() + 5000) return 'it would end in the future';
  const clash = await d.recordings.overlapping(cameraId, startAt + EDGE_MS, Math.max(startAt + EDGE_MS + 1, endAt - EDGE_MS));
  if (clash.length) return `it overlaps indexed footage (${clash[0]!.path})`;
  await d.recordings.add({ cameraId, path: rel, startAt, endAt, bytes: size });
  return null;
}

async function quarantine(recordingsDir: string, cameraId: number, file: string, name: string): Promise<void> {
  const dir = quarantineDirOf(recordingsDir, cameraId);
  await mkdir(dir, { recursive: true });
  let target = path.join(dir, name);
  for (let i = 1; existsSync(target); i++) target = path.join(dir, `${i}-${name}`);
  await rename(file, target);
}
