import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
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
 *
 * The recorder reconciles its camera's tree when the camera starts; `reconcileIdleCameras`
 * does it for every other folder (removed or disabled cameras, unknown ids), so nothing a kill
 * left behind stays unindexed for ever. One camera's tree is worked on by one of them at a
 * time (`withCameraTree`): a camera started meanwhile waits, and its ffmpeg starts only after.
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

const treeLocks = new Map<string, Promise<unknown>>();

/** Runs `fn` once no other reconciliation of the same camera tree runs (in this process). */
export function withCameraTree<T>(recordingsDir: string, cameraId: number, fn: () => Promise<T>): Promise<T> {
  const key = path.join(path.resolve(recordingsDir), String(cameraId));
  const run = (treeLocks.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  treeLocks.set(key, tail);
  void tail.then(() => treeLocks.get(key) === tail && treeLocks.delete(key));
  return run;
}

export interface IdleReconcileResult extends ReconcileResult {
  cameras: number;
  /** Folders of camera ids the database does not know, moved to quarantine whole. */
  unknownFolders: number;
}

/**
 * Start-up reconciliation of the camera folders no recorder will reconcile: cameras removed,
 * disabled or not recording (`isRecording` false), and ids with no camera row. A known
 * camera's tree is reconciled as the recorder would (its `live/` leftovers too): its rows stay
 * indexed until retention's window passes. An unknown id's files cannot be indexed (the index
 * names a camera): they go to quarantine. Empty folders left behind are removed.
 */
export async function reconcileIdleCameras(
  d: ReconcileDeps,
  o: { isRecording(cameraId: number): boolean; cameraExists(cameraId: number): Promise<boolean> },
): Promise<IdleReconcileResult> {
  const total: IdleReconcileResult = { indexed: 0, quarantined: 0, rowsDropped: 0, cameras: 0, unknownFolders: 0 };
  const ids = existsSync(d.recordingsDir) ? (await readdir(d.recordingsDir)).filter((n) => /^\d+$/.test(n)).map(Number) : [];
  for (const id of ids.sort((a, b) => a - b)) {
    await withCameraTree(d.recordingsDir, id, async () => {
      if (o.isRecording(id)) return;
      if (!(await o.cameraExists(id))) {
        total.quarantined += await quarantineFolder(d, id);
        total.unknownFolders++;
        return;
      }
      const live = await salvageLive(d, id);
      const r = await reconcileCamera(d, id);
      total.cameras++;
      total.indexed += r.indexed + live.indexed;
      total.quarantined += r.quarantined + live.quarantined;
      total.rowsDropped += r.rowsDropped;
      await removeEmptyDirs(path.join(d.recordingsDir, String(id)));
    });
  }
  return total;
}

/**
 * What the last run of a camera that records no more left in `live/` (a kill mid-segment): a
 * file with video is moved into its day folder under the start its length and last write give
 * (as the recorder salvages it), then reconciled like any unindexed file; an empty one is deleted.
 */
async function salvageLive(d: ReconcileDeps, cameraId: number): Promise<{ indexed: number; quarantined: number }> {
  const out = { indexed: 0, quarantined: 0 };
  const dir = path.join(d.recordingsDir, String(cameraId), 'live');
  const names = existsSync(dir) ? (await readdir(dir)).sort() : [];
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await stat(file);
    if (!st.isFile()) continue;
    const { mtimeMs, size } = st;
    const durationS = size > 0 ? ((await d.ffmpeg.probe(file).catch(() => undefined))?.durationS ?? 0) : 0;
    if (!(durationS >= MIN_SEGMENT_S)) {
      await unlink(file);
      continue;
    }
    const startAt = Math.round(mtimeMs - durationS * 1000);
    const day = new Date(startAt).toISOString().slice(0, 10);
    await mkdir(path.join(d.recordingsDir, String(cameraId), day), { recursive: true });
    let target = `${startAt}.ts`;
    for (let i = 1; existsSync(path.join(d.recordingsDir, String(cameraId), day, target)); i++) target = `${startAt}-${i}.ts`;
    const moved = path.join(d.recordingsDir, String(cameraId), day, target);
    await rename(file, moved);
    const why = await indexIfValid(d, cameraId, [String(cameraId), day, target].join('/'), moved, day);
    if (why === null) {
      out.indexed++;
      d.log.info('indexed what a stopped camera left unfinished', { cameraId, path: target });
    } else {
      await quarantine(d.recordingsDir, cameraId, moved, `live-${name}`);
      out.quarantined++;
      d.log.warn('quarantined what a stopped camera left unfinished', { cameraId, file: name, why });
    }
  }
  return out;
}

/** Every file of a folder whose camera id is unknown, into quarantine (`<day>-<name>`); the folder goes. */
async function quarantineFolder(d: ReconcileDeps, cameraId: number): Promise<number> {
  const root = path.join(d.recordingsDir, String(cameraId));
  let moved = 0;
  for (const sub of (await readdir(root)).sort()) {
    const dir = path.join(root, sub);
    const files = (await stat(dir)).isDirectory() ? (await readdir(dir)).map((n) => [path.join(dir, n), `${sub}-${n}`] as const) : [[dir, sub] as const];
    for (const [file, name] of files) {
      if (!(await stat(file)).isFile()) continue;
      await quarantine(d.recordingsDir, cameraId, file, name);
      moved++;
    }
  }
  await removeEmptyDirs(root);
  if (moved) d.log.warn('quarantined the recordings folder of a camera the database does not know', { cameraId, files: moved });
  return moved;
}

/** Removes the empty folders under `root` (day folders, live/) and `root` itself when nothing is left. */
export async function removeEmptyDirs(root: string, keep: (name: string) => boolean = () => false): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of await readdir(root)) {
    const dir = path.join(root, name);
    if (keep(name) || !(await stat(dir)).isDirectory()) continue;
    if ((await readdir(dir)).length === 0) await rmdir(dir).catch(() => undefined); // a writer may have just used it
  }
  if ((await readdir(root)).length === 0) await rmdir(root).catch(() => undefined);
}

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
  await d.recordings.add({ cameraId, path: rel, startAt, endAt, bytes: size }, { fenced: false });
  return null;
}

async function quarantine(recordingsDir: string, cameraId: number, file: string, name: string): Promise<void> {
  const dir = quarantineDirOf(recordingsDir, cameraId);
  await mkdir(dir, { recursive: true });
  let target = path.join(dir, name);
  for (let i = 1; existsSync(target); i++) target = path.join(dir, `${i}-${name}`);
  await rename(file, target);
}
