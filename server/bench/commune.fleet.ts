import { join } from 'node:path';
import { BUSY_SECONDS, COMMUNE_SIZE, QUIET_SECONDS, ensureCommuneMedia, type CommuneMedia } from '../demo/commune.media.js';
import { binhyenCacheDir } from '../demo/footage.js';
import { SimCameraFleet } from '../demo/sim.fleet.js';
import { startRemoteCamera, type RemoteCamera } from '../demo/simcam.remote.js';
import type { Logger } from '../shared/log.js';

/**
 * The commune's simulated cameras, shared by every run of the bench: camera 1 is busy and
 * stamped (its own process burns the wall clock into each frame, for alert latency), the
 * others are copies of pre-encoded files behind one multi-mount RTSP server. A quarter of
 * the cameras are busy (indices 0, 4, 8, …), the rest quiet; each starts at its own offset.
 */
export interface CommuneCamera {
  index: number;
  url: string;
  busy: boolean;
  stamped: boolean;
}

export const isBusy = (index: number) => index % 4 === 0;

export class CommuneFleet {
  private media: CommuneMedia | null = null;
  private fleet: SimCameraFleet | null = null;
  private stamped: RemoteCamera | null = null;

  constructor(private readonly o: { footage: string; ffmpegPath: string; log: Logger; maxCameras: number }) {}

  async ensure(n: number): Promise<CommuneCamera[]> {
    this.media ??= await ensureCommuneMedia(this.o.ffmpegPath, join(binhyenCacheDir(), 'simcam'), this.o.footage, this.o.log);
    // Its own process, so its stamps are on time whatever the server does.
    this.stamped ??= await startRemoteCamera({ source: { kind: 'file', path: this.media.busy }, stamp: true, ...COMMUNE_SIZE });
    if (!this.fleet) {
      this.fleet = new SimCameraFleet({ ffmpegPath: this.o.ffmpegPath, logger: this.o.log, mounts: Math.max(1, this.o.maxCameras - 1) });
      await this.fleet.start();
    }
    const media = this.media;
    const others = Array.from({ length: Math.max(0, n - 1) }, (_, k) => {
      const index = k + 1;
      return isBusy(index)
        ? { file: media.busy, offsetS: ((index / 4) * 7) % BUSY_SECONDS }
        : { file: media.quiet, offsetS: (index * 13) % QUIET_SECONDS };
    });
    const urls = others.length ? await this.fleet.ensure(others) : [];
    return [
      { index: 0, url: this.stamped.rtspUrl, busy: true, stamped: true },
      ...urls.map((url, k) => ({ index: k + 1, url, busy: isBusy(k + 1), stamped: false })),
    ].slice(0, n);
  }

  /** The simulator's processes (RTSP servers and publishers), counted apart from the product. */
  pids(): number[] {
    return [...(this.stamped ? [this.stamped.child.pid ?? 0, ...this.stamped.pids] : []), ...(this.fleet?.pids() ?? [])].filter(Boolean);
  }

  async stop(): Promise<void> {
    const stamped = this.stamped;
    this.stamped = null;
    await stamped?.stop();
    await this.fleet?.stop();
    this.fleet = null;
  }
}
