import type { BenchResults } from './bench.runner.js';
import type { CommuneRow } from './commune.sweep.js';
import { formatIngestBench } from './ingest.bench.js';
import { formatLiveBench } from './live.bench.js';

/** Plain-text tables for the terminal; the JSON has everything. */
function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(cells[0]!), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const mbh = (b: number) => `${Math.round(b / 1048576)} MB`;

function communeTable(rows: CommuneRow[], referencePeople: number | null): string {
  return table(
    ['mode', 'model', 'cams', 'busy', 'min fps', 'analysed fps', 'model calls/s', 'dropped', `people/busy (ref ${referencePeople ?? '—'})`, 'tracks/busy', 'backlog max', 'CPU %', 'CPU %/cam', 'RSS MB', 'RSS MB/cam', 'sim CPU %', 'alert p95 ms', 'verdict'],
    rows.map((r) => {
      const busy = r.perCamera.filter((c) => c.busy);
      return [
        r.mode, r.model.includes('yolox') ? 'yolox' : 'centernet', r.cameras, r.busy, r.verdict.minAnalysedFps, r.analysedFps, r.modelCallsPerSecond, pct(r.verdict.dropRatio),
        r.verdict.busyPeople, busy.length ? Math.round((busy.reduce((a, c) => a + c.personTracks, 0) / busy.length) * 10) / 10 : null, r.verdict.backlogMax,
        r.cpu.totalPercent, r.cpu.perCameraPercent, Math.round(r.rssMb.total), r.rssMb.perCamera, r.cpu.simulatorPercent, r.latencyP95Ms,
        r.verdict.held ? 'held' : r.verdict.reasons.join('; '),
      ];
    }),
  );
}

export function formatBench(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`BinhYen bench${r.quick ? ' (--quick)' : ''} — ${r.at} — ${m.cpus} cores (${m.model}), ${m.memGb} GiB, Node ${m.node}, ${m.ffmpeg}, load ${m.loadAvg.join(' ')}`);
  out.push('', 'Raw model rates (one worker, one job in flight, a 16:9 band of a vtest frame, interleaved)');
  out.push(table(['backend/model', 'runtime', 'inferences/s', 'median ms', 'p95 ms', '× tfjs-wasm'], r.model.detail.map((x) => [x.key, x.backend, x.perSecond, x.medianMs, x.p95Ms, x.ratioToWasm])));
  if (!r.model.detail.some((x) => x.key.includes('yolox'))) out.push('YOLOX: skipped (file not found beside the project)');
  out.push('', `Motion: ${r.motion.msPerFrame.toFixed(3)} ms per ${r.motion.width}×${r.motion.height} frame (${r.motion.nsPerPixel.toFixed(1)} ns per analysed pixel at ${r.motion.analysis.width}×${r.motion.analysis.height})`);
  if ('skipped' in r.file) out.push(`File: ${r.file.skipped}`);
  else {
    out.push('', `File: vtest.avi, first ${r.file.seconds} s at 5 fps (offline, as fast as it goes, default detector)`);
    out.push(table(['mode', 'frames', 'with motion', 'regions', 'detections', 'person tracks', 'wall s'], [r.file.pipeline, r.file.naive].map((s) => [
      s.mode, s.frames, s.framesWithMotion, s.regions, s.detections, s.byLabel['person'] ?? 0, (s.ms.wall / 1000).toFixed(1),
    ])));
  }
  out.push('', 'Commune: N simulated RTSP cameras, 640×360 10 fps in, 5 fps analysed, a quarter busy (vtest), the rest quiet with a passer-by; real server, events/snapshots/clips/recording/socket.io on.');
  out.push('Held = every camera ≥ 90 % of 5 fps, clips late (post-roll ended > 1 s ago, not ready) ≤ cameras, ≤ 1 % detect work dropped, people tracked per busy camera ≥ 90 % of one busy camera alone in naive mode.');
  const rows = [...r.live.sweep, ...('skipped' in r.live.yolox ? [] : [r.live.yolox])];
  out.push(communeTable(rows, r.live.reference.people));
  out.push(`Largest count held: pipeline ${r.live.held.pipeline}, naive ${r.live.held.naive}${r.live.ratio !== null ? ` (×${r.live.ratio})` : ''}`);
  if ('skipped' in r.live.yolox) out.push(`YOLOX commune run: ${r.live.yolox.skipped}`);
  const l = r.latency;
  const within = l.p95Ms !== null && l.floorMs !== null ? (l.p95Ms <= l.floorMs + 300 ? 'within floor + 300 ms' : 'ABOVE floor + 300 ms') : '';
  out.push('', `Alert latency (stamp in the picture → alert:new at a police socket.io client, ${l.cameras} cameras, ${l.alerts} alerts): p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms; floor ${l.floorMs} ms (${l.floor}) ${within}; of it, the camera itself (stamp → frame at BinhYen) p50 ${l.cameraP50Ms} ms`);
  if (l.stages) {
    const st = l.stages;
    out.push(`  per stage p50/p95: camera ${st.camera.p50Ms}/${st.camera.p95Ms} ms, detection (confirming frame, motion, model) ${st.detect.p50Ms}/${st.detect.p95Ms} ms, publishing (rules, transaction, socket.io) ${st.publish.p50Ms}/${st.publish.p95Ms} ms`);
  }
  const c = r.clips;
  out.push(`Clips (${c.cameras} cameras): ${c.ready} ready, from end of post-roll to playable p50 ${c.readyP50Ms} ms, p95 ${c.readyP95Ms} ms; pending max ${c.pendingMax} (any run ${c.pendingMaxAnyRun}); clip failures ${c.failures}; snapshot failures ${r.snapshots.failures}`);
  if (r.disk) out.push(`Disk per camera-hour: recordings ${mbh(r.disk.recordingBytesPerCameraHour)}, event media (snapshots, clips) ${mbh(r.disk.eventMediaBytesPerCameraHour)}`);
  out.push('', 'error' in r.liveVideo ? `Live video: failed (${r.liveVideo.error})` : formatLiveBench(r.liveVideo.rows));
  out.push('', 'skipped' in r.ingest ? `Ingest: ${r.ingest.skipped}` : 'error' in r.ingest ? `Ingest: failed (${r.ingest.error})` : formatIngestBench(r.ingest));
  return out.join('\n');
}
