/**
 * Holds on ranges of recordings: a clip cut or an export holds the range it reads from its
 * existence check to the end of its concat, and retention deletes no segment overlapping a
 * held range (it once deleted one in between). In memory on purpose: a hold lives no longer
 * than the ffmpeg it protects, and both end with the process.
 */
export interface HeldRange {
  cameraId: number;
  from: number;
  to: number;
}

export class RecordingLeases {
  private readonly held = new Map<number, HeldRange>();
  private nextId = 1;

  /** Holds [from, to) of a camera's recordings; call the returned function once done (twice is harmless). */
  hold(cameraId: number, from: number, to: number): () => void {
    const id = this.nextId++;
    this.held.set(id, { cameraId, from, to });
    return () => void this.held.delete(id);
  }

  /** Whether a segment overlaps any held range. */
  isHeld(r: { cameraId: number; startAt: number; endAt: number }): boolean {
    for (const h of this.held.values()) {
      if (h.cameraId === r.cameraId && r.endAt > h.from && r.startAt < h.to) return true;
    }
    return false;
  }

  get count(): number {
    return this.held.size;
  }
}
