#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { buildCenternetModels } from './model.build.js';

/**
 * `npm run build:models`: converts the CenterNet tfjs model to models/build/centernet.onnx and
 * its 16:9 twin centernet-512x288.onnx (each skipped when its recorded inputs are unchanged). Usage: convert.main.js [--force] [--out DIR]
 */

export function runConvertCli(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  let args;
  try {
    args = parseArgs({ args: argv, options: { force: { type: 'boolean' }, out: { type: 'string' } }, strict: true }).values;
  } catch (e) {
    err(`build:models: ${e instanceof Error ? e.message : String(e)} (usage: convert.main.js [--force] [--out DIR])`);
    return 2;
  }
  try {
    for (const r of buildCenternetModels({ force: args.force, outDir: args.out })) {
      const what = r.status === 'cached' ? 'up to date (inputs unchanged)' : `built in ${Math.round(r.ms)} ms`;
      out(`build:models: ${r.onnxPath} ${what}, sha256 ${r.record.output.sha256.slice(0, 16)}…`);
    }
    return 0;
  } catch (e) {
    err(`build:models: cannot build the ONNX model: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

process.exitCode = runConvertCli(
  process.argv.slice(2),
  (l) => process.stdout.write(l + '\n'),
  (l) => process.stderr.write(l + '\n'),
);
