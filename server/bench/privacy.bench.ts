import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { sampleFootagePath } from '../demo/footage.js';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { blackoutRects, type PrivacyMask } from '../domain/camera.settings.privacy.js';
import { buildSessionArgs, type RecordOutput } from '../ingest/ffmpeg.args.js';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { ProcSampler } from '../ingest/proc.sampler.js';
import { PrivacyMasker } from '../privacy/privacy.masker.js';
import { MediaFiles } from '../shared/media.files.js';
import { silentLogger } from '../shared/log.js';

/**
 * What privacy masks cost (issue 17):
 * - recording: a camera's recording session exactly as ingest builds it (buildSessionArgs, the
 *   camera played in real time from a file), as the stream copy it is without masks, re-encoded
 *   without a mask (what the encode alone costs) and re-encoded with 1 and 4 "hide from everyone"
 *   masks: CPU % of one core of that ffmpeg, sampled from /proc over a window after warm-up;
 * - residents' JPEGs: one snapshot masked through ffmpeg (the chosen path), wall and CPU per
 *   picture, and what the cache saves when 100 residents ask for it;
 * - a clip's masked rendition: seconds of CPU per second of clip.
 */

export interface PrivacyBenchOptions {
  ffmpeg: FfmpegAdapter;
  windowS?: number;
  warmupS?: number;
  sizes?: { width: number; height: number; fps: number }[];
  say?: (line: string) => void;
}

export interface RecordingRow {
  size: string;
  mode: 'copy' | 'encode' | 'encode+1 mask' | 'encode+4 masks';
  cpuPercent: number;
  /** Frames per second the session wrote over the window (the camera sends size.fps). */
  fps: number;
  /** cpuPercent scaled up when the session fell behind real time (a loaded machine). */
  cpuPercentAtRealTime: number;
  rssMb: number;
}

const MASKS: PrivacyMask[] = [
  { points: [[0.05, 0.1], [0.3, 0.08], [0.32, 0.45], [0.07, 0.5]], hide: 'everyone' },
  { points: [[0.6, 0.1], [0.95, 0.1], [0.95, 0.4]], hide: 'everyone' },
  { points: [[0.4, 0.6], [0.55, 0.55], [0.6, 0.9], [0.42, 0.95]], hide: 'everyone' },
  { points: [[0.7, 0.6], [0.9, 0.65], [0.85, 0.9]], hide: 'everyone' },
];

/** ffmpeg prints its own CPU time (utime, stime) with -benchmark, at the info log level. */
const benchmarked = (args: string[]) => ['-benchmark', ...args.map((a, i) => (args[i - 1] === '-loglevel' ? 'info' : a))];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The camera's stream: the street footage (vtest.avi) when fetched, scaled to the size, since an
 * encoder's cost depends on the picture (a generated pattern compresses far more easily), else
 * the generated pattern.
 */
async function makeSource(ffmpeg: FfmpegAdapter, dir: string, size: { width: number; height: number; fps: number }): Promise<string> {
  const file = path.join(dir, `src-${size.width}x${size.height}.mp4`);
  const gop = String(size.fps * 2);
  const footage = sampleFootagePath();
  const input = existsSync(footage)
    ? ['-stream_loop', '-1', '-i', footage, '-vf', `fps=${size.fps},scale=${size.width}:${size.height}`]
    : ['-f', 'lavfi', '-i', `testsrc2=size=${size.width}x${size.height}:rate=${size.fps}`];
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...input];
  args.push('-t', '12', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-g', gop, '-bf', '0', '-pix_fmt', 'yuv420p', file);
  const r = await ffmpeg.exec(args, { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`could not make the bench source: ${r.stderr.slice(-300)}`);
  return file;
}

/** One recording session as ingest runs it; CPU of its ffmpeg over the window. */
async function recordOnce(o: Required<Pick<PrivacyBenchOptions, 'ffmpeg' | 'windowS' | 'warmupS'>>, file: string, dir: string, masks: PrivacyMask[], fpsTarget: number) {
  const liveDir = mkdtempSync(path.join(dir, 'rec-'));
  const blackout = masks.length ? blackoutRects(masks, 'staff') : undefined;
  const record: RecordOutput = { liveDir, filePrefix: 'b', segmentSeconds: 4, blackout };
  const built = buildSessionArgs({ kind: 'file', path: file, loop: true, realtime: true }, '', { record }, o.ffmpeg.info.version, {
    socketTimeoutMs: 5000,
    decodeThreads: 1,
  });
  const proc = o.ffmpeg.spawn(built.args, { extraPipes: built.pipes.count, hidden: built.hidden });
  for (const p of [proc.stdout, proc.stderr, ...proc.pipes.slice(1)]) p.resume();
  // The progress feed's frame counter: whether the session kept up with the camera's real time.
  let frames = 0;
  proc.pipes[0]!.on('data', (d: Buffer) => {
    for (const m of d.toString('utf8').matchAll(/^frame=(\d+)/gm)) frames = Number(m[1]);
  });
  const sampler = new ProcSampler();
  try {
    await sleep(o.warmupS * 1000);
    await sampler.sample(proc.pid);
    const f0 = frames;
    const t0 = performance.now();
    await sleep(o.windowS * 1000);
    const u = await sampler.sample(proc.pid);
    const fps = ((frames - f0) * 1000) / (performance.now() - t0);
    if (!u || proc.hasExited) throw new Error('the recording ffmpeg ended early');
    // On a loaded machine an encode that falls behind real time uses less CPU than it needs:
    // scaled to the camera's rate, the figure is what keeping up costs.
    const atRealTime = fps > 0 ? (u.cpuPercent * fpsTarget) / Math.min(fps, fpsTarget) : u.cpuPercent;
    return { cpuPercent: r1(u.cpuPercent), fps: r1(fps), cpuPercentAtRealTime: r1(atRealTime), rssMb: r1(u.rssBytes / 1048576) };
  } finally {
    await proc.terminate(3000);
    rmSync(liveDir, { recursive: true, force: true });
  }
}

async function jpegCost(ffmpeg: FfmpegAdapter, dir: string, file: string) {
  const snap = path.join(dir, 'snap.jpg');
  const g = await ffmpeg.exec(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', file, '-frames:v', '1', '-vf', 'scale=640:-2', '-q:v', '3', snap]);
  if (g.code !== 0) throw new Error('could not make the bench snapshot');
  const jpeg = readFileSync(snap);
  const cpu0 = process.cpuUsage();
  const walls: number[] = [];
  let ffmpegCpuMs = 0;
  const rounds = 20;
  for (let i = 0; i < rounds; i++) {
    // A fresh masker each round: every round is a cold encode (a new ffmpeg), as for a new picture.
    const probe = { ...ffmpeg, exec: async (args: string[], opts: Parameters<FfmpegAdapter['exec']>[1]) => {
      const r = await ffmpeg.exec(benchmarked(args), opts);
      const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(r.stderr);
      if (m) ffmpegCpuMs += (Number(m[1]) + Number(m[2])) * 1000;
      return r;
    } };
    const masker = new PrivacyMasker({ ffmpeg: probe, files: new MediaFiles(dir), masksOf: async () => MASKS, log: silentLogger });
    const t0 = performance.now();
    await masker.jpeg(1, jpeg, 'resident', 'snapshot');
    walls.push(performance.now() - t0);
  }
  const nodeCpu = process.cpuUsage(cpu0);
  // 100 residents asking for the same picture at once: one encode, 99 answered from the cache.
  const shared = new PrivacyMasker({ ffmpeg, files: new MediaFiles(dir), masksOf: async () => MASKS, log: silentLogger });
  const t1 = performance.now();
  await Promise.all(Array.from({ length: 100 }, () => shared.jpeg(1, jpeg, 'resident', 'snapshot')));
  return {
    pictureBytes: jpeg.length,
    wallMsMedian: r1(median(walls)),
    ffmpegCpuMsPerPicture: r1(ffmpegCpuMs / rounds),
    nodeCpuMsPerPicture: r1((nodeCpu.user + nodeCpu.system) / 1000 / rounds),
    hundredResidents: { encodes: shared.jpegEncodes, wallMs: r1(performance.now() - t1) },
  };
}

async function clipCost(ffmpeg: FfmpegAdapter, dir: string, file: string) {
  const files = new MediaFiles(dir);
  const rel = path.relative(dir, file);
  const probe = { ...ffmpeg, exec: (args: string[], opts: Parameters<FfmpegAdapter['exec']>[1]) => ffmpeg.exec(benchmarked(args), opts).then((r) => ((last = r.stderr), r)) };
  let last = '';
  const masker = new PrivacyMasker({ ffmpeg: probe, files, masksOf: async () => MASKS, log: silentLogger });
  const t0 = performance.now();
  await masker.clip({ id: 1, cameraId: 1, sha256: null }, rel, 'resident');
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(last);
  const cpuS = m ? Number(m[1]) + Number(m[2]) : null;
  return { clipSeconds: 12, wallS: r1((performance.now() - t0) / 1000), cpuS: cpuS === null ? null : r1(cpuS), cpuSecondsPerClipSecond: cpuS === null ? null : Math.round((cpuS / 12) * 100) / 100 };
}

export async function runPrivacyBench(o: PrivacyBenchOptions) {
  const say = o.say ?? (() => undefined);
  const windowS = o.windowS ?? 10;
  const warmupS = o.warmupS ?? 3;
  const sizes = o.sizes ?? [
    { width: 1920, height: 1080, fps: 25 },
    { width: 640, height: 360, fps: 10 },
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-privacy-bench-'));
  try {
    const rows: RecordingRow[] = [];
    const sources = new Map<string, string>();
    for (const size of sizes) {
      const label = `${size.width}x${size.height}@${size.fps}`;
      say(`privacy: recording ${label} as a stream copy, re-encoded, and with 1 and 4 "hide from everyone" masks (${windowS} s each)`);
      const file = await makeSource(o.ffmpeg, dir, size);
      sources.set(label, file);
      const modes: [RecordingRow['mode'], PrivacyMask[] | null][] = [
        ['copy', []],
        ['encode', null],
        ['encode+1 mask', MASKS.slice(0, 1)],
        ['encode+4 masks', MASKS],
      ];
      for (const [mode, masks] of modes) {
        // "encode": a 1-pixel mask in the corner forces the same encode at next to no drawing cost.
        const m = masks ?? [{ points: [[0, 0], [0.0001, 0], [0.0001, 0.0001]], hide: 'everyone' } as PrivacyMask];
        rows.push({ size: label, mode, ...(await recordOnce({ ffmpeg: o.ffmpeg, windowS, warmupS }, file, dir, m, size.fps)) });
      }
    }
    say('privacy: residents\' JPEG through ffmpeg (20 cold pictures), 100 residents at once; a 12 s clip rendition');
    const small = [...sources.values()].at(-1)!;
    const jpeg = await jpegCost(o.ffmpeg, dir, small);
    const clip = await clipCost(o.ffmpeg, dir, small);
    return { windowS, warmupS, source: existsSync(sampleFootagePath()) ? 'vtest.avi scaled' : 'testsrc2', loadAvg: os.loadavg().map(r1), recording: rows, jpeg, clip };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
export type PrivacyBenchResult = Awaited<ReturnType<typeof runPrivacyBench>>;

export function formatPrivacyBench(p: PrivacyBenchResult): string {
  const lines = ['', `Privacy masks (issue 17): CPU % of one core per camera recording session (${p.source}, load average ${p.loadAvg.join(' ')})`, '| stream | recording | CPU % | fps kept | CPU % at real time | RSS MB |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of p.recording) lines.push(`| ${r.size} | ${r.mode} | ${r.cpuPercent} | ${r.fps} | ${r.cpuPercentAtRealTime} | ${r.rssMb} |`);
  const j = p.jpeg;
  lines.push(
    '',
    `Residents' JPEG masked through ffmpeg (${j.pictureBytes} B, 640 px): ${j.wallMsMedian} ms wall (median), ${j.ffmpegCpuMsPerPicture} ms ffmpeg CPU + ${j.nodeCpuMsPerPicture} ms server CPU per picture; 100 residents at once: ${j.hundredResidents.encodes} encode, ${j.hundredResidents.wallMs} ms`,
    `Clip rendition (${p.clip.clipSeconds} s, 640×360): ${p.clip.wallS} s wall, ${p.clip.cpuS ?? '?'} s CPU (${p.clip.cpuSecondsPerClipSecond ?? '?'} CPU s per clip s), once per clip and set of masks`,
  );
  return lines.join('\n') + '\n';
}
