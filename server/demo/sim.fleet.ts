import { rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '../shared/log.js';
import { make } from './commune.media.js';
import { repoFile } from './asset.path.js';
import { failOnExit, killNow, spawnChild, terminate, type ChildHandle } from './simcam.process.js';
import { mpegtsUdpArgs } from './simcam.publisher.js';
import { readyLine } from './simcam.rtsp.js';

/**
 * Many simulated cameras at the cost of one RTSP server: `rtsp-multi.py` serves /cam1 … /camN
 * on one port, and each camera's "uplink" is an ffmpeg that copies a pre-encoded file out in
 * real time (`-re -c copy`, no decode), looping, from its own start offset so cameras showing
 * the same footage are not in step. For benchmarks with dozens of cameras.
 */
export interface FleetCamera {
  /** Pre-encoded H.264 file (see simcam.media.ts / commune.media.ts). */
  file: string;
  /** Seconds into the file where this camera starts. */
  offsetS: number;
}

export interface SimFleetOptions {
  ffmpegPath: string;
  logger: Logger;
  /** Mounts to create; cameras beyond it cannot be added later. */
  mounts: number;
  pythonPath?: string;
}

/**
 * Mounts per RTSP server process: one GStreamer server sends every client's interleaved RTP
 * from one main loop, and above about a dozen cameras its streams came out uneven (6–13 fps
 * for 10 fps sources, measured with stream-copy readers); several servers share the load.
 */
const MOUNTS_PER_SERVER = 8;

interface Mount {
  port: number;
  path: string;
  inputPort: number;
}

interface Ready {
  port: number;
  inputPorts: number[];
  mounts: string[];
}

export class SimCameraFleet {
  private readonly servers: ChildHandle[] = [];
  /** Every mount of every server, in camera order. */
  private mounts: Mount[] | null = null;
  private readonly publishers: ChildHandle[] = [];

  constructor(private readonly o: SimFleetOptions) {}

  async start(): Promise<void> {
    if (this.mounts) return;
    const mounts: Mount[] = [];
    try {
      for (let left = this.o.mounts; left > 0; left -= MOUNTS_PER_SERVER) {
        const ready = await this.startServer(Math.min(left, MOUNTS_PER_SERVER));
        ready.mounts.forEach((m, i) => mounts.push({ port: ready.port, path: m, inputPort: ready.inputPorts[i]! }));
      }
    } catch (err) {
      await Promise.all(this.servers.splice(0).map((c) => killNow(c)));
      throw err;
    }
    this.mounts = mounts;
  }

  private async startServer(mounts: number): Promise<Ready> {
    const python = this.o.pythonPath ?? process.env.BINHYEN_PYTHON ?? '/usr/bin/python3';
    const child = spawnChild(python, [repoFile('server/demo/rtsp-multi.py'), '--mounts', String(mounts)], {
      name: 'rtsp-multi',
      logger: this.o.logger,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.servers.push(child);
    return failOnExit(
      child,
      readyLine<Ready>(child, 'rtsp-multi', 15_000, (m) =>
        typeof m.port === 'number' && Array.isArray(m.inputPorts) && Array.isArray(m.mounts)
          ? { port: m.port, inputPorts: m.inputPorts as number[], mounts: m.mounts as string[] }
          : null,
      ),
      'the multi-mount RTSP server did not start',
    );
  }

  /** Cameras publishing now. */
  get size(): number {
    return this.publishers.length;
  }

  /** Starts publishers until `cameras.length` cameras run (earlier ones keep running). */
  async ensure(cameras: readonly FleetCamera[]): Promise<string[]> {
    if (!this.mounts) throw new Error('fleet not started');
    if (cameras.length > this.mounts.length) throw new Error(`the fleet has ${this.mounts.length} mounts, ${cameras.length} asked`);
    for (let i = this.publishers.length; i < cameras.length; i++) {
      const cam = cameras[i]!;
      const file = await this.startingAt(cam);
      const args = [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        file,
        '-an',
        '-c',
        'copy',
        ...mpegtsUdpArgs(this.mounts[i]!.inputPort),
      ];
      this.publishers.push(spawnChild(this.o.ffmpegPath, args, { name: `fleet-publish-${i + 1}`, logger: this.o.logger }));
    }
    return cameras.map((_, i) => this.url(i));
  }

  /**
   * The camera's file, turned to start near its offset (cached beside it): `-ss` with
   * `-stream_loop` makes `-re` send the skipped seconds in one burst at every loop, which
   * a camera never does (measured: 70 frames at once every loop of a 20 s file).
   */
  private async startingAt(cam: FleetCamera): Promise<string> {
    // Whole 5 s steps: cameras still out of step, and a few cached copies instead of one per camera.
    const offset = Math.round(cam.offsetS / 5) * 5;
    if (offset <= 0) return cam.file;
    const target = cam.file.replace(/(\.\w+)$/, `-from${offset}$1`);
    const list = `ffconcat version 1.0\nfile '${cam.file}'\ninpoint ${offset}\nfile '${cam.file}'\noutpoint ${offset}\n`;
    const listFile = `${target}.${process.pid}.ffconcat`;
    writeFileSync(listFile, list);
    try {
      await make(this.o.ffmpegPath, target, this.o.logger, (out) => ['-f', 'concat', '-safe', '0', '-i', listFile, '-an', '-c', 'copy', out]);
    } finally {
      rmSync(listFile, { force: true });
    }
    return target;
  }

  url(i: number): string {
    const m = this.mounts?.[i];
    if (!m) throw new Error('fleet not started');
    return `rtsp://127.0.0.1:${m.port}${m.path}`;
  }

  /** Every process of the fleet (to count the simulator's CPU apart from the product's). */
  pids(): number[] {
    return [...this.servers, ...this.publishers].filter((c): c is ChildHandle => !!c && c.isRunning() && c.proc.pid !== undefined).map((c) => c.proc.pid!);
  }

  async stop(): Promise<void> {
    await Promise.all(this.publishers.splice(0).map((p) => terminate(p, 1000)));
    this.mounts = null;
    await Promise.all(
      this.servers.splice(0).map((server) => {
        server.proc.stdin?.end();
        return terminate(server);
      }),
    );
  }
}
