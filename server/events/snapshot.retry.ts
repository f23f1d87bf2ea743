import type { Box, Frame } from '../domain/frame.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { SnapshotKind, SnapshotService } from './snapshot.service.js';

export interface SnapshotCounters {
  /** Snapshots written (one per encode, whatever the number of files). */
  written: number;
  /** Attempts that failed and were tried again. */
  retried: number;
  /** Snapshots given up after every attempt failed: the event has no (new) picture. */
  failed: number;
}

/**
 * Snapshot writes with a bounded retry and counters: under load the encoder's queue can be full
 * or a file write fail once; it is tried again a few times, and a final failure is counted
 * (health, bench) and logged, never silent. The event itself never waits on this: its alert is already out.
 */
export class SnapshotWriter {
  readonly counters: SnapshotCounters = { written: 0, retried: 0, failed: 0 };

  constructor(
    private readonly d: {
      snapshots: Pick<SnapshotService, 'writeMany'>;
      clock: Clock;
      log: Logger;
      /** Waits before each retry; its length is the number of retries. */
      backoffMs?: number[];
    },
  ) {}

  async write(
    ev: { id: number; cameraId: number; startAt: number },
    kinds: SnapshotKind[],
    frame: Frame,
    box: Box,
  ): Promise<{ path: string; bytes: number }[] | undefined> {
    const backoff = this.d.backoffMs ?? [200, 1000];
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.d.snapshots.writeMany(ev, kinds, frame, box);
        this.counters.written++;
        return r;
      } catch (err) {
        if (attempt >= backoff.length) {
          this.counters.failed++;
          this.d.log.error('event snapshot failed', { eventId: ev.id, kinds, attempts: attempt + 1, err });
          return undefined;
        }
        this.counters.retried++;
        await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, backoff[attempt]!));
      }
    }
  }
}
