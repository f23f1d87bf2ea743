import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { Store } from '../store/store.js';
import { binhyenCacheDir, ensureSampleFootage, sampleFootagePath } from './footage.js';
import { SimulatedCamera, type SimSource } from './sim-camera.js';

/** What the demo needs of a simulated camera (a real SimulatedCamera in production). */
export interface DemoSim {
  start(): Promise<void>;
  readonly rtspUrl: string;
  switchSource(source: SimSource): Promise<void>;
  stop(): Promise<void>;
}

export interface DemoCameraDeps {
  store: Store;
  log: Logger;
  ffmpegPath?: string;
  /** The ffmpeg port, for the fallback pattern video (default: resolved like ingest does). */
  ffmpeg?: Pick<FfmpegAdapter, 'exec'>;
  createSim?: () => DemoSim;
  /** Finds (or fetches) the real street footage; null when it cannot. */
  footage?: (log: Logger) => Promise<string | null>;
  /** Where the fallback pattern video is kept (default: the binhyen cache folder). */
  cacheDir?: string;
  /** Restarts the running demo camera on its new stream (the fallback path switches files). */
  restart?: (camera: CameraRecord) => Promise<void>;
}

export const DEMO_CAMERA_NAME = 'Camera mô phỏng (demo)';

/**
 * The demo a newcomer sees on `npm start`: when no real camera is registered, a simulated
 * RTSP camera on a generated pattern is registered at once, and switched to real street
 * footage when the background fetch brings it. A registered real camera turns the demo off.
 */
export class DemoCamera {
  private sim: DemoSim | undefined;
  private stopped = false;

  constructor(private readonly d: DemoCameraDeps) {}

  /** Starts the simulator and returns the demo camera row to run, or null when real cameras exist. */
  async start(): Promise<CameraRecord | null> {
    const cameras = await this.d.store.cameras.list();
    if (cameras.some((c) => !c.demo)) return null;
    const existing = cameras.find((c) => c.demo);
    const sim = this.d.createSim?.() ?? new SimulatedCamera({ source: { kind: 'pattern' }, ffmpegPath: this.d.ffmpegPath, logger: this.d.log });
    try {
      await sim.start();
    } catch (err) {
      // No GStreamer RTSP server here: ffmpeg reads a local video as the camera instead.
      const file = await this.fallbackVideo();
      this.d.log.warn('demo camera without an RTSP simulator (install the GStreamer RTSP server, see README): playing a local video instead', { file, err });
      const camera = await this.upsert(existing, file);
      // Fetch on this path too: a newcomer without GStreamer must still get real footage, and alerts.
      if (file !== sampleFootagePath()) void this.switchFallbackToFootage(camera);
      return camera;
    }
    this.sim = sim;
    const camera = await this.upsert(existing, sim.rtspUrl);
    this.d.log.info('demo camera started on a generated pattern; fetching real street footage in the background', { url: sim.rtspUrl });
    void this.switchToFootage();
    return camera;
  }

  /** The street footage when it is already here, else a generated test pattern (made once, kept in the cache). */
  private async fallbackVideo(): Promise<string> {
    const footage = sampleFootagePath();
    if (existsSync(footage)) return footage;
    const dir = this.d.cacheDir ?? binhyenCacheDir();
    const file = path.join(dir, 'demo-pattern.mp4');
    if (existsSync(file)) return file;
    mkdirSync(dir, { recursive: true });
    const part = `${file}.part.mp4`;
    const ffmpeg = this.d.ffmpeg ?? (await FfmpegAdapter.create({ configuredPath: this.d.ffmpegPath }));
    const r = await ffmpeg.exec(
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=768x576:rate=10:duration=120',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-g',
        '10',
        '-pix_fmt',
        'yuv420p',
        part,
      ],
      { timeoutMs: 120_000 },
    );
    if (r.code !== 0) throw new Error(`ffmpeg could not make the demo pattern video: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    renameSync(part, file);
    return file;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sim?.stop();
  }

  private async upsert(existing: CameraRecord | undefined, url: string): Promise<CameraRecord> {
    const streams = { detect: { url, transport: 'tcp' as const } };
    if (existing) return (await this.d.store.cameras.update(existing.id, { streams }))!;
    return this.d.store.cameras.create({
      name: DEMO_CAMERA_NAME,
      areaId: null,
      ownerName: null,
      ownerKind: null,
      address: null,
      latitude: null,
      longitude: null,
      onvifUrl: null,
      credentialsEnc: null,
      streams,
      settings: {},
      defaultVisibility: 'internal',
      enabled: true,
      clockOffsetMs: null,
      demo: true,
    });
  }

  private async switchFallbackToFootage(camera: CameraRecord): Promise<void> {
    try {
      const file = await (this.d.footage ?? ensureSampleFootage)(this.d.log);
      if (!file || this.stopped) return;
      const updated = await this.upsert(camera, file);
      await this.d.restart?.(updated);
      this.d.log.info('demo camera now plays real street footage', { file });
    } catch (err) {
      this.d.log.warn('demo camera stays on the generated pattern', { err });
    }
  }

  private async switchToFootage(): Promise<void> {
    try {
      const file = await (this.d.footage ?? ensureSampleFootage)(this.d.log);
      if (!file || this.stopped || !this.sim) return;
      await this.sim.switchSource({ kind: 'file', path: file });
      this.d.log.info('demo camera now plays real street footage', { file });
    } catch (err) {
      this.d.log.warn('demo camera stays on the generated pattern', { err });
    }
  }
}
