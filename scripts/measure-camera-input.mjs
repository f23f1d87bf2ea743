#!/usr/bin/env node
// What keeping camera URLs off ffmpeg's command line costs (issue 12, finding 5), on this machine:
//  1. ffmpeg's CPU for one 1080p25 RTSP camera session (recording by stream copy, 5 fps detection
//     frames, 1 fps live JPEG), the URL on the command line vs in a concat script on stdin,
//     alternated so both see the same machine state;
//  2. the snapshot relay's CPU (this Node process) for a 1080p HTTP snapshot camera polled at 5 fps,
//     against this process idling while ffmpeg fetches the camera directly.
// Usage: npm run build && node scripts/measure-camera-input.mjs [seconds per run, default 30] [rtsp|relay]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedCamera } from '../dist/server/demo/sim-camera.js';
import { FfmpegAdapter } from '../dist/server/ingest/ffmpeg.adapter.js';
import { buildSessionArgs, inputArgs, RELAY_URL } from '../dist/server/ingest/ffmpeg.args.js';
import { urlWithCredentials } from '../dist/server/ingest/stream.source.js';

const SECONDS = Number(process.argv[2] ?? 30);
const USER = 'quanly';
const PASSWORD = "m'easure-1";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in 1/100 s
};

/** The same session with the input spelled out on the command line: the script's options become flags. */
function directArgs(built, url) {
  const from = built.args.indexOf('concat') - 1;
  const to = built.args.indexOf('pipe:0');
  const options = [...built.hidden.script.matchAll(/^option (\S+) '([^']*)'$/gm)].flatMap((m) => [`-${m[1]}`, m[2]]);
  const whitelist = built.args[built.args.indexOf('-protocol_whitelist') + 1].replace(/^pipe,/, '');
  return [...built.args.slice(0, from), '-protocol_whitelist', whitelist, ...options, '-threads', '1', '-i', url, ...built.args.slice(to + 1)];
}

async function sessionCpu(ff, args, hidden, extraPipes) {
  const p = ff.spawn(args, { extraPipes, hidden });
  for (const s of [p.stdout, p.stderr, ...p.pipes]) s.resume();
  await sleep(3000); // connect and probe first: steady state only
  const t0 = ticks(p.pid);
  await sleep(SECONDS * 1000);
  const used = ticks(p.pid) - t0;
  await p.terminate(2000);
  return used / SECONDS; // % of one core
}

async function rtsp(ff) {
  const sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 1920, height: 1080, fps: 25, user: USER, password: PASSWORD });
  await sim.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-measure-'));
  try {
    const src = { kind: 'rtsp', url: sim.rtspUrl, transport: 'tcp' };
    const url = urlWithCredentials(sim.rtspUrl, { username: USER, password: PASSWORD });
    const outs = { record: { liveDir: dir, filePrefix: 'm', segmentSeconds: 4 }, frames: { fps: 5, width: 640 }, jpeg: { fps: 1, width: 640, quality: 7 } };
    const built = buildSessionArgs(src, url, outs, ff.info.version, { socketTimeoutMs: 5000, decodeThreads: 1 });
    const runs = { direct: [], script: [] };
    for (let i = 0; i < 2; i++) {
      runs.direct.push(await sessionCpu(ff, directArgs(built, url), undefined, built.pipes.count));
      runs.script.push(await sessionCpu(ff, built.args, built.hidden, built.pipes.count));
    }
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.stop();
  }
}

/** A snapshot camera in its own process (its CPU is not this one's), Basic auth, one 1080p JPEG. */
async function snapshotCamera(ff) {
  const jpeg = (
    await ff.exec(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080,noise=alls=8', '-frames:v', '1', '-q:v', '4', '-f', 'mjpeg', 'pipe:1'])
  ).stdout;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'binhyen-measure-')), 'snap.jpg');
  writeFileSync(file, jpeg);
  const code = `
    const jpeg = require('fs').readFileSync(process.argv[1]);
    const ok = 'Basic ' + Buffer.from(${JSON.stringify(`${USER}:${PASSWORD}`)}).toString('base64');
    const s = require('http').createServer((req, res) => {
      if (req.headers.authorization !== ok) return res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg);
    });
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { child, bytes: jpeg.length, url: `http://127.0.0.1:${port}/snapshot.jpg`, remove: () => rmSync(path.dirname(file), { recursive: true }) };
}

async function relay(ff) {
  const cam = await snapshotCamera(ff);
  try {
    const src = { kind: 'snapshot', url: cam.url, fps: 5 };
    const input = inputArgs(src, urlWithCredentials(cam.url, { username: USER, password: PASSWORD }), ff.info.version, {
      socketTimeoutMs: 5000,
      decodeThreads: 1,
    });
    const direct = input.args.map((a) => (a === RELAY_URL ? input.hidden.relayUrl : a));
    const run = async (args, hidden) => {
      const p = ff.spawn([...args, '-f', 'null', '-'], { hidden });
      for (const s of [p.stdout, p.stderr]) s.resume();
      await sleep(2000);
      const c0 = process.cpuUsage();
      const t0 = ticks(p.pid);
      await sleep(SECONDS * 1000);
      const c = process.cpuUsage(c0);
      const ffmpegPct = (ticks(p.pid) - t0) / SECONDS;
      await p.terminate(2000);
      return { nodePct: (c.user + c.system) / (SECONDS * 1e4), ffmpegPct };
    };
    return { jpegBytes: cam.bytes, direct: await run(direct), relayed: await run(input.args, input.hidden) };
  } finally {
    cam.child.kill();
    cam.remove();
  }
}

const ff = await FfmpegAdapter.create();
const only = process.argv[3];
const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(' / ');
if (only !== 'relay') {
  const r = await rtsp(ff);
  console.log(
    `1080p25 RTSP session, ffmpeg CPU (% of one core, ${SECONDS} s runs): URL on the command line ${fmt(r.direct)}; URL in a script on stdin ${fmt(r.script)}`,
  );
}
const s = only === 'rtsp' ? undefined : await relay(ff);
if (s)
  console.log(
    `1080p snapshot camera at 5 fps (${Math.round(s.jpegBytes / 1024)} KB per JPEG): this Node process ${s.direct.nodePct.toFixed(2)} % idle (ffmpeg direct), ` +
      `${s.relayed.nodePct.toFixed(2)} % with the relay; ffmpeg ${s.direct.ffmpegPct.toFixed(1)} % direct, ${s.relayed.ffmpegPct.toFixed(1)} % through the relay`,
  );
await ff.close();
