import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BUSY_SECONDS, COMMUNE_SIZE, QUIET_SECONDS, ensureCommuneMedia, type CommuneMedia } from '../demo/commune.media.js';
import { binhyenCacheDir } from '../demo/footage.js';
import { SimCameraFleet } from '../demo/sim.fleet.js';
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
  private stamped: { child: ChildProcess; url: string; pids: number[] } | null = null;

  constructor(private readonly o: { footage: string; ffmpegPath: string; log: Logger; maxCameras: number }) {}

  async ensure(n: number): Promise<CommuneCamera[]> {
    this.media ??= await ensureCommuneMedia(this.o.ffmpegPath, join(binhyenCacheDir(), 'simcam'), this.o.footage, this.o.log);
    this.stamped ??= await startStamped(this.media.busy);
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
      { index: 0, url: this.stamped.url, busy: true, stamped: true },
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
    if (stamped && stamped.child.exitCode === null) {
      const gone = new Promise((r) => stamped.child.once('exit', r));
      stamped.child.stdin?.end();
      await gone;
    }
    await this.fleet?.stop();
    this.fleet = null;
  }
}

/** The stamped camera runs in its own process so its stamps are on time whatever the server does. */
async function startStamped(file: string): Promise<{ child: ChildProcess; url: string; pids: number[] }> {
  const main = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'demo', 'simcam.main.js');
  const opts = { source: { kind: 'file', path: file }, stamp: true, ...COMMUNE_SIZE };
  const child = spawn(process.execPath, [main, JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stamped simulated camera exited (${code})`)));
  });
  const ready = JSON.parse(first) as { rtspUrl: string; pids: number[] };
  return { child, url: ready.rtspUrl, pids: ready.pids };
}
