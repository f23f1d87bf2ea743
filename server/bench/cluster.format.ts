import type { ClusterBenchResult } from './cluster.bench.js';

/** The cluster rows as a terminal table (the JSON has every step and node). */
export function formatClusterBench(r: ClusterBenchResult | { error: string }): string {
  if ('error' in r) return `\nCluster: failed (${r.error})\n`;
  if ('skipped' in r) return `\nCluster: skipped — ${r.skipped}\n`;
  const head = ['nodes', 'cameras held', 'CPU % (first step)', 'CPU % per extra node', 'steps (cameras: verdict, CPU %)'];
  const rows = r.nodes.map((n) => [
    String(n.nodes),
    String(n.camerasHeld),
    n.cpuPct === null ? '—' : String(n.cpuPct),
    n.overheadCpuPctPerNode === null ? '—' : String(n.overheadCpuPctPerNode),
    n.steps.map((s) => `${s.cameras}: ${s.verdict.held ? 'held' : 'not held'}, ${s.cpuPct}`).join('; '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (x: string[]) => '| ' + x.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  const f = r.failover;
  const failover =
    'skipped' in f
      ? `Failover: ${f.skipped}`
      : `Failover (${f.atCameras ?? '?'} cameras on ${r.nodes[r.nodes.length - 1]?.nodes ?? '?'} nodes; SIGKILL ${f.killed}, its ${f.cameras} cameras → analysed again on the survivors): ${f.failoverMs === null ? `not complete (${f.error})` : `${f.failoverMs} ms`}`;
  return [
    '',
    `Cluster: node processes on this machine sharing PostgreSQL and Redis, ${r.windowS} s windows; ${r.note}`,
    line(head),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...rows.map(line),
    failover,
    '',
  ].join('\n');
}
