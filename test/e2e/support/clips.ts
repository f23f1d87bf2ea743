import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../../server/store/store.js';
import { testVideo } from '../../support/media.js';
import { addTestCamera } from '../../integration/events.fixture.js';
import { seedEvent } from './seed.js';

/**
 * A shared event of a camera in `areaId` with a ready MP4 clip of the given picture size
 * (ffmpeg's test pattern), written through the repositories as the clip cutter would: for
 * the player tests, which need clips of known aspect ratios without a detector run.
 */
export async function seedClipEvent(
  store: Store,
  dataDir: string,
  o: { areaId: number; cameraId: number; size: string; seconds: number; ready?: boolean },
): Promise<{ eventId: number; clipId: number; readyUp: () => Promise<void> }> {
  const at = Date.now() - 600_000;
  const ev = await seedEvent(store, { cameraId: o.cameraId, areaId: o.areaId, at, visibility: 'shared' });
  const clip = await store.clips.create({
    cameraId: o.cameraId,
    eventId: ev.id,
    kind: 'event',
    startAt: at,
    endAt: at + o.seconds * 1000,
    pinned: false,
    reason: null,
    createdBy: null,
  });
  const rel = path.join('clips', `test-${clip.id}-${o.size}.mp4`);
  mkdirSync(path.join(dataDir, 'clips'), { recursive: true });
  testVideo(path.join(dataDir, rel), { size: o.size, seconds: o.seconds, format: null });
  const readyUp = async () => {
    await store.clips.update(clip.id, {
      state: 'ready',
      path: rel,
      posterPath: null,
      sha256: 'test',
      bytes: 1,
      durationMs: o.seconds * 1000,
      finalisedAt: Date.now(),
    });
  };
  if (o.ready !== false) await readyUp();
  return { eventId: ev.id, clipId: clip.id, readyUp };
}

/** A camera of `areaId` with no stream session running, to own seeded events. */
export async function seedCamera(store: Store, areaId: number, name: string): Promise<number> {
  return (await addTestCamera(store, name, areaId, { defaultVisibility: 'shared' })).id;
}
