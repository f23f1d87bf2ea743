import path from 'node:path';
import { AppError } from '../shared/errors.js';
import type { Command } from './cli.commands.js';

const num = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AppError('validation', `--${name} must be a positive number`, 2, { field: name });
  return n;
};

/** `binhyen bench` (npm run bench): see server/bench/bench.runner.ts. */
export const benchCommand: Command = {
  summary: 'Measure the detection path on real footage and simulated cameras (table + JSON)',
  usage: 'binhyen bench [--out FILE] [--window S] [--max-cameras N] [--quick]',
  options: { out: { type: 'string' }, window: { type: 'string' }, 'max-cameras': { type: 'string' }, quick: { type: 'boolean' } },
  async run({ values }) {
    const { runBench } = await import('../bench/bench.runner.js');
    const quick = Boolean(values.quick);
    await runBench({
      out: path.resolve(String(values.out ?? 'bench/results.json')),
      windowS: num(values.window, 'window', quick ? 8 : 20),
      warmupS: quick ? 4 : 8,
      maxCameras: num(values['max-cameras'], 'max-cameras', quick ? 2 : 8),
      fileSeconds: quick ? 10 : 40,
      ingestCameras: quick ? 2 : 10,
      latencySeconds: quick ? 20 : 60,
      say: (l) => process.stderr.write(l + '\n'),
    });
    return 0;
  },
};
