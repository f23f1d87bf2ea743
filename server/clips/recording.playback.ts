import { rm } from 'node:fs/promises';
import type { MediaFiles } from '../shared/media.files.js';
import type { RecordingRepository } from '../store/recording.repository.js';
import type { CutClip } from './clip.types.js';

/**
 * Watching the continuous recording from any moment (issue 15 item 3): the browser asks for a
 * window (at most WINDOW_MS) and gets one MP4 concatenated on the fly from the recording index
 * by the clip cutter (stream copy across segment boundaries, no decoding), kept in a small
 * cache so the player's Range requests and a second look cost nothing. Windows are aligned so
 * that nearby moments share one file; when it ends the player asks for the next.
 */
export const WINDOW_MS = 10 * 60_000;
const ALIGN_MS = 5 * 60_000;
const DIR = 'cache/playback';
/** Recorded spans closer than this are drawn as one (a segment boundary is not a gap). */
const JOIN_MS = 1_500;

export interface PlaybackWindow {
  from: number;
  to: number;
  /** Wall-clock time of media time 0: the first segment's start (a keyframe). */
  startAt: number;
  endAt: number;
  durationS: number;
  /** Recorded spans in the window, so the player maps media time to the clock across gaps. */
  spans: [number, number][];
}

export class RecordingPlayback {
  private readonly cached = new Map<string, { rel: string; window: PlaybackWindow }>();
  /** Files of an earlier run are derived data: removed on first use. */
  private wiped: Promise<void> | null = null;

  constructor(
    private readonly d: {
      cutClip: CutClip;
      files: Pick<MediaFiles, 'abs' | 'ensureDir'>;
      recordings: Pick<RecordingRepository, 'overlapping'>;
      now?: () => number;
      maxFiles?: number;
    },
  ) {}

  /** The aligned window holding `at`. */
  static windowOf(at: number, now: number): { from: number; to: number } {
    const from = Math.floor(at / ALIGN_MS) * ALIGN_MS;
    return { from, to: Math.min(from + WINDOW_MS, now) };
  }

  /** Recorded spans of a camera in [from, to), joined across segment boundaries. */
  async spans(cameraId: number, from: number, to: number): Promise<[number, number][]> {
    const recs = await this.d.recordings.overlapping(cameraId, from, to);
    const out: [number, number][] = [];
    for (const r of [...recs].sort((a, b) => a.startAt - b.startAt)) {
      const last = out.at(-1);
      if (last && r.startAt - last[1] <= JOIN_MS) last[1] = Math.max(last[1], r.endAt);
      else out.push([r.startAt, r.endAt]);
    }
    return out;
  }

  /** The window holding `at`, cut now unless cached: its relative file and clock mapping. */
  async window(cameraId: number, at: number): Promise<{ rel: string; window: PlaybackWindow }> {
    const now = (this.d.now ?? Date.now)();
    const { from, to } = RecordingPlayback.windowOf(at, now);
    // The window still being recorded is cut again once a minute has been added to it.
    const key = `${cameraId}-${from}-${to >= from + WINDOW_MS ? 'full' : Math.floor(to / 60_000)}`;
    const hit = this.cached.get(key);
    if (hit) return hit;
    const rel = `${DIR}/${key}.mp4`;
    await (this.wiped ??= rm(this.d.files.abs(DIR), { recursive: true, force: true }));
    await this.d.files.ensureDir(DIR);
    const r = await this.d.cutClip({ cameraId, from, to, outPath: this.d.files.abs(rel) });
    const entry = { rel, window: { from, to, startAt: from, endAt: to, durationS: r.durationS, spans: await this.spans(cameraId, from, to) } };
    const cut = r as { startAt?: number; endAt?: number };
    if (typeof cut.startAt === 'number') entry.window.startAt = cut.startAt;
    if (typeof cut.endAt === 'number') entry.window.endAt = cut.endAt;
    this.cached.set(key, entry);
    await this.evict();
    return entry;
  }

  /** The file of a window already cut (the video request follows the window request). */
  fileOf(cameraId: number, from: number): string | undefined {
    for (const [key, e] of [...this.cached.entries()].reverse()) if (key.startsWith(`${cameraId}-${from}-`)) return e.rel;
    return undefined;
  }

  private async evict(): Promise<void> {
    while (this.cached.size > (this.d.maxFiles ?? 8)) {
      const [key, e] = this.cached.entries().next().value!;
      this.cached.delete(key);
      await rm(this.d.files.abs(e.rel), { force: true });
    }
  }
}
