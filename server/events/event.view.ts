import type { ClipRecord } from '../store/clip.repository.js';
import type { EventRecord } from '../store/event.repository.js';
import { snapshotUrl } from './alert.view.js';

/** What the API shows of an event: media as URLs by id, never as file paths. */
export function eventView(e: EventRecord) {
  const mediaKept = e.mediaDeletedAt === null;
  return {
    id: e.id,
    cameraId: e.cameraId,
    cameraName: e.cameraName ?? null,
    areaId: e.areaId,
    label: e.label,
    score: e.score,
    box: e.box,
    zones: e.zones,
    startAt: e.startAt,
    endAt: e.endAt,
    endReason: e.endReason,
    lastSeenAt: e.lastSeenAt,
    visibility: e.visibility,
    pinned: e.pinned,
    snapshotUrl: snapshotUrl(e),
    firstSnapshotUrl: e.firstSnapshotPath && mediaKept ? `/api/events/${e.id}/snapshots/first.jpg` : null,
    mediaDeletedAt: e.mediaDeletedAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
export type EventView = ReturnType<typeof eventView>;

/**
 * A note or comment as its reader may see it (issue 12 finding 7): police and admins see the
 * author's user id; residents see the author's name only, and whether it is their own.
 */
export function authoredView<T extends { userId: number | null; authorName: string | null }>(x: T, full: boolean, viewerId: number | null) {
  return { ...x, userId: full ? x.userId : null, mine: x.userId !== null && x.userId === viewerId };
}

export function clipView(c: ClipRecord) {
  const playable = c.state === 'ready' && c.deletedAt === null;
  return {
    id: c.id,
    eventId: c.eventId,
    cameraId: c.cameraId,
    kind: c.kind,
    startAt: c.startAt,
    endAt: c.endAt,
    state: c.state,
    error: c.error,
    durationMs: c.durationMs,
    bytes: c.bytes,
    sha256: c.sha256,
    pinned: c.pinned,
    reason: c.reason,
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    finalisedAt: c.finalisedAt,
    deletedAt: c.deletedAt,
    videoUrl: playable ? `/api/clips/${c.id}/video.mp4` : null,
    // A clip served from the recording has its poster made on demand, like its video.
    posterUrl: playable && (c.posterPath || c.path === null) ? `/api/clips/${c.id}/poster.jpg` : null,
    gaps: c.gaps,
    manifestUrl: c.manifestPath && c.deletedAt === null ? `/api/clips/${c.id}/manifest.json` : null,
  };
}
export type ClipView = ReturnType<typeof clipView>;
