import type { Box } from '../domain/frame.js';
import type { Frame } from '../domain/frame.js';
import type { RelRect } from '../domain/camera.settings.privacy.js';
import { blackout, drawBox } from './snapshot.draw.js';
import type { JpegEncoder } from './snapshot.encoder.js';
import { dayFolder, type MediaFiles } from '../shared/media.files.js';

export type SnapshotKind = 'first' | 'best';

/**
 * Event snapshots: the frame with the object's box drawn (and "hide from everyone" privacy masks
 * blacked out), as JPEG under
 * <dataDir>/snapshots/<camera>/<day>/event-<id>-<kind>.jpg. The best one is replaced in
 * place (atomically) whenever a better frame comes, so the path never changes.
 */
export class SnapshotService {
  constructor(
    private readonly d: {
      files: MediaFiles;
      encoder: JpegEncoder;
      /** The camera's "hide from everyone" privacy masks as band rectangles (none: nothing to black out). */
      blackoutOf?: (cameraId: number) => Promise<RelRect[]>;
    },
  ) {}

  static pathFor(cameraId: number, eventId: number, startAt: number, kind: SnapshotKind): string {
    return `snapshots/${cameraId}/${dayFolder(startAt)}/event-${eventId}-${kind}.jpg`;
  }

  async write(ev: { id: number; cameraId: number; startAt: number }, kind: SnapshotKind, frame: Frame, box: Box): Promise<{ path: string; bytes: number }> {
    return (await this.writeMany(ev, [kind], frame, box))[0]!;
  }

  /** One encode, several files: at an event's start the first and the best snapshot are the same picture. */
  async writeMany(
    ev: { id: number; cameraId: number; startAt: number },
    kinds: SnapshotKind[],
    frame: Frame,
    box: Box,
  ): Promise<{ path: string; bytes: number }[]> {
    const rects = (await this.d.blackoutOf?.(ev.cameraId)) ?? [];
    const jpeg = await this.d.encoder.encode(blackout(drawBox(frame, box), rects));
    const out: { path: string; bytes: number }[] = [];
    for (const kind of kinds) {
      const rel = SnapshotService.pathFor(ev.cameraId, ev.id, ev.startAt, kind);
      out.push({ path: rel, bytes: await this.d.files.writeAtomic(rel, jpeg) });
    }
    return out;
  }
}
