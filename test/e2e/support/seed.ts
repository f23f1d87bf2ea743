import type { Store } from '../../../server/store/store.js';
import type { ClipRecord } from '../../../server/store/clip.repository.js';

/**
 * Another area's event with a playable clip, as if recorded earlier by a camera of that area
 * (fixture data written through the repositories, not a route): what a resident of a
 * different area must not be able to open. The clip reuses a real clip's file.
 */
export async function seedOtherAreaEvent(store: Store, areaId: number, fileOf: ClipRecord): Promise<{ eventId: number; clipId: number }> {
  const cam = await store.cameras.create({
    name: 'Chợ Tây',
    areaId,
    ownerName: null,
    ownerKind: null,
    address: null,
    latitude: null,
    longitude: null,
    onvifUrl: null,
    credentialsEnc: null,
    streams: { detect: { url: 'rtsp://192.0.2.10/stream' } },
    settings: {},
    defaultVisibility: 'shared',
    enabled: false,
    clockOffsetMs: null,
    demo: false,
  });
  const at = Date.now() - 3_600_000;
  const ev = await seedEvent(store, { cameraId: cam.id, areaId, at, visibility: 'shared' });
  const clip = await store.clips.create({
    cameraId: cam.id,
    eventId: ev.id,
    kind: 'event',
    startAt: at - 5_000,
    endAt: at + 10_000,
    pinned: false,
    reason: null,
    createdBy: null,
  });
  await store.clips.update(clip.id, {
    state: 'ready',
    path: fileOf.path,
    posterPath: fileOf.posterPath,
    sha256: fileOf.sha256,
    bytes: fileOf.bytes,
    durationMs: fileOf.durationMs,
    finalisedAt: at + 20_000,
  });
  return { eventId: ev.id, clipId: clip.id };
}

/** A finished person event of a camera at `at` (5 s long), as the event rules would have written it. */
export async function seedEvent(store: Store, o: { cameraId: number; areaId: number; at: number; visibility: 'internal' | 'shared' }) {
  const ev = await store.events.create({
    cameraId: o.cameraId,
    areaId: o.areaId,
    trackId: null,
    label: 'person',
    score: 0.8,
    box: null,
    zones: [],
    startAt: o.at,
    lastSeenAt: o.at + 5_000,
    bestAt: null,
    visibility: o.visibility,
  });
  await store.events.update(ev.id, { endAt: o.at + 5_000, endReason: 'left' });
  return ev;
}
