import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSampleFootage, sampleFootageDir, sampleFootagePath } from '../../server/demo/footage.js';
import { readStamp } from '../../server/demo/frame.stamp.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { SimCameraFleet } from '../../server/demo/sim.fleet.js';
import { testVideo } from '../support/media.js';
import { createLogger } from '../../server/shared/log.js';

/**
 * The simulated camera is the fixture every RTSP test and the benchmark stand on, so this
 * checks it the way the product will use it: real ffmpeg clients over RTSP on 127.0.0.1.
 */
const WAIT_S = Number(process.env.SIMCAM_TEST_SECONDS ?? 2);

interface Pull {
  code: number | null;
  stderr: string;
  frames: Uint8Array[];
  /** Date.now() when each frame arrived. */
  arrivals: number[];
  /** Size of the stream as ffmpeg reported it. */
  streamSize: { width: number; height: number } | null;
}

interface PullOptions {
  transport?: 'tcp' | 'udp';
  seconds?: number;
  /** Scale like the detect path does; frames are grey (Y plane). */
  scale?: { width: number; height: number };
  timeoutS?: number;
}

/** Pulls grey frames with ffmpeg, like the product's ingest. */
function pull(url: string, opts: PullOptions = {}): Promise<Pull> {
  const scale = opts.scale;
  // A short analysis: ffmpeg's default spends ~20 frames estimating the rate before the first frame.
  const probe = ['-analyzeduration', '200000', '-probesize', '1000000'];
  const args = [
    '-hide_banner',
    '-nostdin',
    ...probe,
    '-rtsp_transport',
    opts.transport ?? 'tcp',
    '-timeout',
    String((opts.timeoutS ?? 5) * 1e6),
    '-i',
    url,
    '-t',
    String(opts.seconds ?? WAIT_S),
    '-an',
  ];
  if (scale) args.push('-vf', `scale=${scale.width}:${scale.height}`);
  args.push('-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1');
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const chunks: Buffer[] = [];
  const chunkEnds: { bytes: number; at: number }[] = [];
  let received = 0;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    chunks.push(c);
    received += c.length;
    chunkEnds.push({ bytes: received, at: Date.now() });
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const m = stderr.match(/Stream #0:0.*Video: h264.*?, (\d+)x(\d+)/);
      const streamSize = m ? { width: Number(m[1]), height: Number(m[2]) } : null;
      const out = scale ?? streamSize;
      const all = Buffer.concat(chunks);
      const frameBytes = out ? out.width * out.height : 0;
      const frames: Uint8Array[] = [];
      const arrivals: number[] = [];
      for (let o = 0; frameBytes && o + frameBytes <= all.length; o += frameBytes) {
        frames.push(all.subarray(o, o + frameBytes));
        arrivals.push(chunkEnds.find((c) => c.bytes >= o + frameBytes)?.at ?? Date.now());
      }
      resolve({ code, stderr, frames, arrivals, streamSize });
    });
  });
}

interface Watch {
  /** Arrival time and stamp of every frame received so far. */
  frames: { at: number; stamp: number | null }[];
  stop(): Promise<void>;
}

/** A client that stays connected (like the product's ingest), reading stamps as frames arrive. */
function watch(url: string, width = 320, height = 240): Watch {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-analyzeduration',
    '200000',
    '-rtsp_transport',
    'tcp',
    '-timeout',
    '20000000',
    '-i',
    url,
  ];
  const child = spawn(
    'ffmpeg',
    [...args, '-an', '-fps_mode', 'passthrough', '-vf', `scale=${width}:${height}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const frames: Watch['frames'] = [];
  let pending = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= width * height) {
      frames.push({ at: Date.now(), stamp: readStamp(pending.subarray(0, width * height), width, height) });
      pending = pending.subarray(width * height);
    }
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { frames, stop: () => (child.kill('SIGKILL'), closed) };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return check();
}

function childrenOf(pid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(entry), comm });
    } catch {
      continue; // the process ended while we read /proc
    }
  }
  return out;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe('simulated camera with credentials and stamp', () => {
  const cam = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 480, fps: 10, stamp: true, user: 'admin', password: 's3cret pass' });

  beforeAll(async () => {
    await cam.start();
  });
  afterAll(async () => {
    await cam.stop();
  });

  it('serves frames over RTSP/TCP with the right credentials at the configured size and rate', async () => {
    expect(cam.rtspUrl).toMatch(/^rtsp:\/\/127\.0\.0\.1:\d+\/stream$/);
    expect(cam.rtspUrlWithCredentials).toContain('admin:s3cret%20pass@');
    const r = await pull(cam.rtspUrlWithCredentials);
    expect(r.code, r.stderr).toBe(0);
    expect(r.streamSize).toEqual({ width: 640, height: 480 });
    // -t counts stream time, so this is a frame count, not a timing assertion.
    expect(r.frames.length).toBeGreaterThanOrEqual(WAIT_S * 10 * 0.7);
    expect(r.frames.length).toBeLessThanOrEqual(WAIT_S * 10 * 1.3);
  });

  it('answers 401 to a wrong password and to no password', async () => {
    const wrong = await pull(cam.rtspUrl.replace('rtsp://', 'rtsp://admin:wrong@'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401/);
    expect(wrong.frames).toHaveLength(0);
    const none = await pull(cam.rtspUrl);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/401/);
  });

  it('serves RTP over UDP too', async () => {
    const r = await pull(cam.rtspUrlWithCredentials, { transport: 'udp' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.frames.length).toBeGreaterThanOrEqual(WAIT_S * 10 * 0.5);
  });

  it('burns a wall-clock stamp that survives H.264 and the detect-path downscale', async () => {
    const r = await pull(cam.rtspUrlWithCredentials, { scale: { width: 320, height: 240 } });
    expect(r.code, r.stderr).toBe(0);
    const stamps = r.frames.map((f) => readStamp(f, 320, 240));
    const readable = stamps.filter((s): s is number => s !== null);
    // Frame i's latency: its arrival on our pipe minus the stamp burned when it was published.
    const lat = stamps.flatMap((s, i) => (s === null ? [] : [(r.arrivals[i] ?? 0) - s]));
    expect(readable.length).toBeGreaterThanOrEqual(stamps.length * 0.9);
    const now = Date.now();
    for (const s of readable) {
      expect(s).toBeLessThanOrEqual(now);
      expect(now - s).toBeLessThan(10_000); // sanity: it is this clock, not a speed assertion
    }
    // Successive frames carry increasing stamps (the camera's clock moves on).
    expect(readable.at(-1)).toBeGreaterThan(readable[0] ?? Infinity);
    // For information only (ffmpeg's start-up buffering inflates the first frames).
    const steady = lat.slice(lat.length >> 1).sort((a, b) => a - b);
    console.info(
      `stamp readable ${readable.length}/${stamps.length}; publish-to-client latency, second half, median ${steady[steady.length >> 1]} ms, all: ${lat.join(' ')}`,
    );
  });

  it('stops the picture on cutStream and brings it back on resumeStream', async () => {
    const viewer = watch(cam.rtspUrlWithCredentials);
    try {
      expect(await until(() => viewer.frames.length >= 3, 10_000)).toBe(true);
      await cam.cutStream();
      const cutAt = Date.now();
      expect(cam.pids()).toHaveLength(1); // only the RTSP server is left: it still answers
      const during = await pull(cam.rtspUrlWithCredentials, { timeoutS: 2 });
      expect(during.frames).toHaveLength(0);
      // Frames in flight may land just after the cut; nothing arrives after that.
      expect(viewer.frames.filter((f) => f.at > cutAt + 500)).toEqual([]);

      await cam.resumeStream();
      const resumedAt = Date.now();
      const after = await pull(cam.rtspUrlWithCredentials);
      expect(after.code, after.stderr).toBe(0);
      expect(after.frames.length).toBeGreaterThan(0);
      expect(readStamp(after.frames.at(-1) ?? new Uint8Array(), 640, 480)).toBeGreaterThan(cutAt);
      // A client that stayed connected through the cut sees the picture come back too.
      expect(await until(() => viewer.frames.some((f) => (f.stamp ?? 0) > resumedAt), 10_000)).toBe(true);
    } finally {
      await viewer.stop();
    }
  });

  it('stop() leaves no process behind', async () => {
    const pids = cam.pids();
    expect(pids.length).toBeGreaterThanOrEqual(3); // RTSP server, decoder, encoder
    await cam.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect(cam.pids()).toEqual([]);
    expect(childrenOf(process.pid).filter((c) => /ffmpeg|python/.test(c.comm))).toEqual([]);
  });
});

describe('simulated camera without stamp (cheap benchmark mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simcam-'));
  const clip = join(dir, 'clip.mp4');
  let cam: SimulatedCamera | null = null;

  beforeAll(() => {
    // A small synthetic clip as "footage" (no third-party media in tests).
    const r = spawnSync('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=352x288:rate=5',
      '-t',
      '3',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    expect(r.status, r.stderr?.toString()).toBe(0);
  });
  afterAll(async () => {
    await cam?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a moving pattern at its default size, without credentials', async () => {
    cam = new SimulatedCamera({ source: { kind: 'pattern' }, fps: 5, cacheDir: join(dir, 'cache'), mountPath: 'live' });
    await cam.start();
    expect(cam.videoSize).toEqual({ width: 768, height: 576, fps: 5 });
    expect(cam.rtspUrlWithCredentials).toBe(cam.rtspUrl);
    expect(cam.rtspUrl).toMatch(/\/live$/);
    expect(cam.pids()).toHaveLength(2); // RTSP server + one stream-copying ffmpeg
    const r = await pull(cam.rtspUrl, { scale: { width: 192, height: 144 } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.streamSize).toEqual({ width: 768, height: 576 });
    expect(r.frames.length).toBeGreaterThanOrEqual(WAIT_S * 5 * 0.7);
    const [a, b] = [r.frames[0], r.frames.at(-1)];
    const changed = a && b ? a.reduce((n, v, i) => n + (Math.abs(v - (b[i] ?? 0)) > 30 ? 1 : 0), 0) : 0;
    expect(changed).toBeGreaterThan(50); // something moves, for motion detection to see
    expect(readStamp(r.frames[0] ?? new Uint8Array(), 192, 144)).toBeNull();
  });

  it('switches to a file source at the same size and URL', async () => {
    if (!cam) throw new Error('previous test did not start the camera');
    const url = cam.rtspUrl;
    await cam.switchSource({ kind: 'file', path: clip });
    expect(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.mp4'))).toHaveLength(2);
    expect(cam.rtspUrl).toBe(url);
    const r = await pull(url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.streamSize).toEqual({ width: 768, height: 576 });
    expect(r.frames.length).toBeGreaterThan(0);
  });

  it('kill() is a power cut: the port refuses, and start() brings the camera back on the same URL', async () => {
    if (!cam) throw new Error('previous test did not start the camera');
    const url = cam.rtspUrl;
    const pids = cam.pids();
    await cam.kill();
    expect(pids.filter(alive)).toEqual([]);
    const down = await pull(url, { timeoutS: 2 });
    expect(down.code).not.toBe(0);
    await cam.start();
    expect(cam.rtspUrl).toBe(url);
    const up = await pull(url, { seconds: 1 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.frames.length).toBeGreaterThan(0);
  });
});

describe('fleet of simulated cameras (the commune benchmark)', () => {
  let dir: string;
  let fleet: SimCameraFleet;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-'));
    const file = join(dir, 'cam.mp4');
    testVideo(file, { seconds: 12, format: null });
    fleet = new SimCameraFleet({ ffmpegPath: 'ffmpeg', logger: createLogger('warn'), mounts: 10 });
    await fleet.start();
    await fleet.ensure(Array.from({ length: 10 }, (_, i) => ({ file, offsetS: i })));
  });
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves every camera, across more than one RTSP server, each from its own start offset', async () => {
    const urls = Array.from({ length: 10 }, (_, i) => fleet.url(i));
    expect(new Set(urls.map((u) => new URL(u).port)).size).toBe(2); // 8 mounts per server
    for (const i of [0, 7, 8, 9]) expect((await pull(urls[i]!, { seconds: 1 })).frames.length, urls[i]).toBeGreaterThan(3);
    // Offsets are turned into files that start there (cached beside the source), not -ss at every loop.
    expect(
      readdirSync(dir)
        .filter((n) => /-from\d+\.mp4$/.test(n))
        .sort(),
    ).toEqual(['cam-from10.mp4', 'cam-from5.mp4']);
  });
});

describe('sample footage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'footage-'));
  const env = { BINHYEN_CACHE_DIR: join(dir, 'cache'), HOME: dir };
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  /** Stands in for scripts/fetch-sample-footage (the real one downloads ~95 MB). */
  const fakeScript = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/usr/bin/env bash\nset -e\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in the cache folder outside the repository', () => {
    expect(sampleFootageDir(env)).toBe(join(dir, 'cache', 'binhyen', 'footage'));
    expect(sampleFootagePath({ XDG_CACHE_HOME: '/x' })).toBe('/x/binhyen/footage/vtest.avi');
    expect(sampleFootagePath({ HOME: '/home/u' })).toBe('/home/u/.cache/binhyen/footage/vtest.avi');
  });

  it('returns null with a clear message when the fetch fails', async () => {
    const script = fakeScript('fail.sh', 'echo "[fetch-sample-footage] ERROR: no network" >&2; exit 1');
    expect(await ensureSampleFootage(log, { env, scriptPath: script })).toBeNull();
    expect(lines.join('\n')).toMatch(/no network/);
    expect(lines.join('\n')).toMatch(/keeps its generated pattern/);
  });

  it('fetches once, logging progress, then finds the file without running the script', async () => {
    const script = fakeScript(
      'ok.sh',
      'echo "[fetch-sample-footage] downloading" >&2; mkdir -p "$BINHYEN_CACHE_DIR/binhyen/footage"; head -c 1200000 /dev/zero > "$BINHYEN_CACHE_DIR/binhyen/footage/vtest.avi"',
    );
    expect(await ensureSampleFootage(log, { env, scriptPath: script })).toBe(sampleFootagePath(env));
    expect(lines.join('\n')).toMatch(/downloading/);
    const broken = fakeScript('broken.sh', 'exit 3');
    expect(await ensureSampleFootage(log, { env, scriptPath: broken })).toBe(sampleFootagePath(env));
  });
});
