import type { BenchResults } from './bench.runner.js';
import { formatIngestBench } from './ingest.bench.js';

/** Plain-text tables for the terminal; the JSON has everything. */
function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(cells[0]!), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

export function formatBench(r: BenchResults): string {
  const out: string[] = [];
  out.push(`BinhYen bench — ${r.at} — ${r.machine.cpus} cores (${r.machine.model}), ${r.machine.memGb} GiB, Node ${r.machine.node}, ${r.machine.ffmpeg}`);
  out.push(`Detector: ${r.detector.backend} × ${r.detector.workers} worker(s), ${r.detector.model}`);
  out.push('', 'Model (CenterNet 512×512, vtest frame)');
  out.push(table(['backend', 'workers', 'median ms', 'p95 ms', 'inferences/s'], r.model.map((m) => [m.backend, m.workers, m.medianMs, m.p95Ms, m.perSecond])));
  out.push('', `Motion: ${r.motion.msPerFrame.toFixed(3)} ms per ${r.motion.width}×${r.motion.height} frame (${r.motion.nsPerPixel.toFixed(1)} ns per analysed pixel at ${r.motion.analysis.width}×${r.motion.analysis.height})`);
  const f = r.file;
  out.push('', `File: vtest.avi, first ${f.seconds} s at 5 fps (offline, as fast as it goes)`);
  out.push(table(['mode', 'frames', 'with motion', 'regions', 'detections', 'person tracks', 'wall s', 'motion ms/frame'], [f.pipeline, f.naive].map((s) => [
    s.mode, s.frames, s.framesWithMotion, s.regions, s.detections, s.byLabel['person'] ?? 0, (s.ms.wall / 1000).toFixed(1), s.ms.motion,
  ])));
  out.push(`Pipeline detections/s ${f.pipelineRegionsPerSecond} vs raw model ${f.rawModelPerSecond}/s (one worker): ${Math.round(f.overhead * 100)} % of the raw rate`);
  out.push('', 'Live: simulated RTSP cameras playing vtest.avi, target 5 analysed fps each (held = ≥95 % fps, ≤5 % dropped regions, ≥90 % of uncontended people tracked)');
  out.push(table(['mode', 'cams', 'min fps', 'regions/s', 'dropped', 'people', 'server CPU %', 'ffmpeg CPU %', 'RSS MB', 'sim CPU %', 'verdict'], r.live.runs.map((x) => [
    x.mode, x.cameras, x.minAnalysedFps, x.regionsPerSecond, `${Math.round(x.dropRatio * 100)} %`, x.personOccupancy, x.serverCpuPercent, x.ffmpegCpuPercent,
    Math.round(x.serverRssMb + x.perCamera.reduce((a, c) => a + c.ffmpegRssMb, 0)), x.simulatorCpuPercent, x.held ? 'held' : x.why,
  ])));
  out.push(`Largest count held: pipeline ${r.live.held.pipeline}, naive ${r.live.held.naive}${r.live.ratio !== null ? ` (×${r.live.ratio})` : ''}`);
  out.push('', 'error' in r.ingest ? `Ingest: failed (${r.ingest.error})` : formatIngestBench(r.ingest));
  const l = r.latency;
  out.push('', 'error' in l
    ? `Latency: failed (${l.error})`
    : `Alert latency, stamp in the picture → socket.io client (${l.rules}): median ${l.medianMs} ms, p95 ${l.p95Ms} ms, max ${l.maxMs} ms over ${l.alerts} alerts; clip ready after event end: median ${l.clipReadyMedianS} s, p95 ${l.clipReadyP95S} s (${l.clipsReady} clips)`);
  return out.join('\n');
}
