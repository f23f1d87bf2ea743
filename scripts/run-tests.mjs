#!/usr/bin/env node
// Runs the vitest tiers in order (unit in parallel; integration and e2e one file at a time)
// and, with CI=true, fails when any test was skipped: CI must run every tier.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const tiers = (process.env.BINHYEN_TEST_TIERS ?? 'unit,integration,e2e').split(',');
const extra = process.argv.slice(2);
mkdirSync('test-output', { recursive: true });
let failed = false;
const skipped = [];
for (const tier of tiers) {
  const out = `test-output/vitest-${tier}.json`;
  rmSync(out, { force: true });
  const r = spawnSync('npx', ['vitest', 'run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const file of report.testResults ?? []) {
      for (const t of file.assertionResults ?? []) {
        if (['skipped', 'pending', 'todo'].includes(t.status)) skipped.push(`${tier}: ${t.fullName}`);
      }
    }
  } catch {
    // no report: vitest failed before running, already counted by its exit status
  }
}
if (skipped.length) {
  console.log(`\n${skipped.length} skipped test(s):\n  ${skipped.join('\n  ')}`);
  if (process.env.CI === 'true') {
    console.error('CI=true: a skipped test is a failure (install what the skipped tier needs; see README).');
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
