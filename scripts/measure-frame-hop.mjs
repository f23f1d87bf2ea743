#!/usr/bin/env node
// How long ffmpeg holds a detection frame between the camera's frame going in and the sampled
// frame coming out, for the old fps= chain and the product's live chain (select= gate, scale=,
// -r cfr; server/ingest/ffmpeg.args.ts). Frames of a 10 fps 640×360 "camera" are written to
// ffmpeg's stdin in real time, each painted with its own grey level, and timed until the same
// picture leaves as yuv4mpegpipe on stdout. Needs only ffmpeg. Usage: node scripts/measure-frame-hop.mjs
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const W = 640;
const H = 360;
const BYTES = (W * H * 3) / 2;
const chains = {
  'fps= filter (before)': { vf: 'fps=5:start_time=0,scale=640:-2', out: ['-fps_mode', 'passthrough'] },
  'select= gate + -r 5 cfr (now)': { vf: 'select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,0.1),scale=640:-2', out: ['-r', '5', '-fps_mode', 'cfr'] },
};

function measure({ vf, out }, frames = 80) {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', '10', '-i', 'pipe:0'];
  const p = spawn('ffmpeg', [...args, '-vf', vf, '-pix_fmt', 'yuv420p', ...out, '-f', 'yuv4mpegpipe', 'pipe:1']);
  const sentAt = new Map();
  const hops = [];
  let buf = Buffer.alloc(0);
  let header = false;
  p.stdout.on('data', (b) => {
    buf = Buffer.concat([buf, b]);
    if (!header) {
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      buf = buf.subarray(nl + 1);
      header = true;
    }
    // Each picture: "FRAME\n" then the planes; the grey level names the frame that went in.
    while (buf.length >= 6 + BYTES) {
      const t = sentAt.get(buf[6 + 1000]);
      if (t !== undefined) hops.push(performance.now() - t);
      buf = buf.subarray(6 + BYTES);
    }
  });
  const picture = Buffer.alloc(BYTES, 128);
  let k = 0;
  const timer = setInterval(() => {
    if (k === frames) {
      clearInterval(timer);
      p.stdin.end();
      return;
    }
    const grey = 20 + (k % 200);
    picture.fill(grey, 0, W * H);
    sentAt.set(grey, performance.now());
    p.stdin.write(picture);
    k++;
  }, 100);
  return new Promise((resolve) => p.on('close', () => resolve(hops.slice(5).sort((a, b) => a - b))));
}

const q = (xs, f) => Math.round(xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]);
console.log('| chain | frames out | hop p50 ms | hop p90 ms |\n|---|---|---|---|');
for (const [name, chain] of Object.entries(chains)) {
  const hops = await measure(chain);
  console.log(`| ${name} | ${hops.length + 5} | ${q(hops, 0.5)} | ${q(hops, 0.9)} |`);
}
