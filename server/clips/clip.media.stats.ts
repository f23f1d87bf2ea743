import type { Repositories } from '../store/store.js';

export interface EventMediaStats {
  /** Snapshot + clip-file bytes per camera; clips served from the recording cost none. */
  perCamera: { cameraId: number; snapshotBytes: number; clipBytes: number; recordedHours: number; bytesPerCameraHour: number | null }[];
  totalBytes: number;
  recordedHours: number;
  /** All cameras together: event-media bytes per hour of recording kept. */
  bytesPerCameraHour: number | null;
}

/**
 * Disk used by event media (issue 19 item 3: bounded and measured): snapshots plus the files
 * of pinned and exported clips, against the hours of recording kept, per camera. The bench
 * calls this after a run.
 */
export async function eventMediaStats(repos: Pick<Repositories, 'events' | 'clips' | 'recordings'>): Promise<EventMediaStats> {
  const [snaps, clips, recorded] = await Promise.all([
    repos.events.snapshotBytesByCamera(),
    repos.clips.fileBytesByCamera(),
    repos.recordings.recordedMsByCamera(),
  ]);
  const ids = [...new Set([...snaps.keys(), ...clips.keys(), ...recorded.keys()])].sort((a, b) => a - b);
  const perCamera = ids.map((cameraId) => {
    const snapshotBytes = snaps.get(cameraId) ?? 0;
    const clipBytes = clips.get(cameraId) ?? 0;
    const recordedHours = (recorded.get(cameraId) ?? 0) / 3_600_000;
    return { cameraId, snapshotBytes, clipBytes, recordedHours, bytesPerCameraHour: recordedHours > 0 ? (snapshotBytes + clipBytes) / recordedHours : null };
  });
  const totalBytes = perCamera.reduce((n, c) => n + c.snapshotBytes + c.clipBytes, 0);
  const recordedHours = perCamera.reduce((n, c) => n + c.recordedHours, 0);
  return { perCamera, totalBytes, recordedHours, bytesPerCameraHour: recordedHours > 0 ? totalBytes / recordedHours : null };
}
