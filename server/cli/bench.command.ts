import path from 'node:path';
import { AppError } from '../shared/errors.js';
import type { ClusterSettings } from '../bench/bench.runner.js';
import type { Command } from './cli.commands.js';

const num = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AppError('validation', `--${name} must be a positive number`, 2, { field: name });
  return n;
};

/** Camera counts tried, each mode stopping at the first count not held. */
const PIPELINE_STEPS = [8, 16, 24, 32, 40, 48, 56, 64];
const NAIVE_STEPS = [2, 4, 8, 16, 24, 32];
/** The cluster rows: total cameras tried with 1, 2 and 3 nodes (a short ladder: about 4 minutes in all). */
const CLUSTER_STEPS = [12, 20];
const CLUSTER_QUICK_STEPS = [2, 4];

/** The cluster rows' settings: PostgreSQL and Redis on loopback unless told otherwise. */
function clusterSettings(values: Record<string, unknown>, quick: boolean): ClusterSettings {
  return {
    nodeCounts: [1, 2, 3],
    steps: quick ? CLUSTER_QUICK_STEPS : CLUSTER_STEPS,
    windowS: num(values.window, 'window', quick ? 10 : 20),
    warmupS: quick ? 4 : 6,
    postgresUrl: String(values.postgres ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
    redisUrl: String(values.redis ?? 'redis://127.0.0.1:6379'),
  };
}

/** `binhyen bench` (npm run bench): see server/bench/bench.runner.ts. */
export const benchCommand: Command = {
  summary: 'Measure model rates and the commune scenario (N simulated cameras through the real server), table + JSON',
  usage: 'binhyen bench [--out FILE] [--window S] [--max-cameras N] [--quick] [--privacy] [--cluster] [--postgres URL] [--redis URL] [--json]',
  options: {
    out: { type: 'string' },
    window: { type: 'string' },
    'max-cameras': { type: 'string' },
    quick: { type: 'boolean' },
    privacy: { type: 'boolean' },
    cluster: { type: 'boolean' },
    postgres: { type: 'string' },
    redis: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    if (values.privacy) {
      // Only the privacy-mask costs (about 2 minutes): recording with masks, residents' JPEGs, clip renditions.
      const { runPrivacyOnly } = await import('../bench/bench.runner.js');
      await runPrivacyOnly({
        out: path.resolve(String(values.out ?? 'bench/privacy.json')),
        json: Boolean(values.json),
        windowS: num(values.window, 'window', 10),
      });
      return 0;
    }
    const quick = Boolean(values.quick);
    if (values.cluster) {
      // Only the cluster rows (about 4 minutes; needs PostgreSQL and Redis, skipped with the reason otherwise).
      const { runClusterOnly } = await import('../bench/bench.runner.js');
      await runClusterOnly({
        out: path.resolve(String(values.out ?? 'bench/cluster.json')),
        json: Boolean(values.json),
        cluster: clusterSettings(values, quick),
      });
      return 0;
    }
    const { runBench } = await import('../bench/bench.runner.js');
    const max = num(values['max-cameras'], 'max-cameras', quick ? 8 : 64);
    await runBench({
      out: path.resolve(String(values.out ?? 'bench/results.json')),
      quick,
      json: Boolean(values.json),
      // A full loop of the busy footage (20 s) per window: people counts do not depend on the phase.
      windowS: num(values.window, 'window', 20),
      // Cameras' start-up (RTSP sessions opening, a first restart or two) is not what a commune runs.
      warmupS: quick ? 10 : 20,
      drainS: quick ? 8 : 15,
      pipelineSteps: (quick ? [4, 8] : PIPELINE_STEPS).filter((n) => n <= max),
      naiveSteps: (quick ? [] : NAIVE_STEPS).filter((n) => n <= max),
      cluster: clusterSettings(values, quick),
      say: (l) => process.stderr.write(l + '\n'),
    });
    return 0;
  },
};
