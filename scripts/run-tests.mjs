#!/usr/bin/env node
// Runs the vitest tiers in order (unit in parallel; integration and e2e one file at a time) and,
// with CI=true, fails when any test was skipped: CI must run every tier. The camera-time tier
// (tests that mostly wait: for a camera to run for minutes, for retries, for rate windows) and
// the e2e tier each run in a lane of their own beside the integration tier, their output printed
// when they end: the suite takes about as long as its longest lane, not the sum of its tiers
// (15-minute budget on 2 cores; the three lanes together keep about 1.4 of the 2 cores busy).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const ALL_TIERS = 'unit,integration,camera-time,e2e';
/** Lanes that run alongside the named tier rather than after it (each lane's tiers one after the other). */
const BESIDE = { integration: [['camera-time'], ['e2e']] };
const tiers = (process.env.BINHYEN_TEST_TIERS ?? ALL_TIERS).split(',');
const extra = process.argv.slice(2);
if (process.env.CI === 'true') {
  // CI must run everything, on both databases: a filter or a missing database is a failure, not a smaller run.
  const problems = [];
  if (tiers.join(',') !== ALL_TIERS) problems.push(`BINHYEN_TEST_TIERS=${process.env.BINHYEN_TEST_TIERS} leaves tiers out`);
  if (extra.length) problems.push(`extra vitest arguments (${extra.join(' ')}) filter the run`);
  if (!process.env.TEST_DATABASE_URL) problems.push('TEST_DATABASE_URL is not set, so the PostgreSQL store tests would not run');
  if (problems.length) {
    console.error(`CI=true: ${problems.join('; ')}.`);
    process.exit(1);
  }
}
mkdirSync('test-output', { recursive: true });
let failed = false;
const skipped = [];

/** Runs one tier; `quiet` collects its output and prints it at the end instead of interleaving it. */
function runTier(tier, quiet) {
  const out = `test-output/vitest-${tier}.json`;
  rmSync(out, { force: true });
  const args = ['vitest', 'run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra];
  const child = spawn('npx', args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const text = [];
  child.stdout?.on('data', (c) => text.push(c));
  child.stderr?.on('data', (c) => text.push(c));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (quiet) process.stdout.write(Buffer.concat(text));
      if (code !== 0) failed = true;
      collectSkipped(tier, out);
      resolve();
    }),
  );
}

function collectSkipped(tier, out) {
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

const besideOf = (tier) => (BESIDE[tier] ?? []).map((lane) => lane.filter((t) => tiers.includes(t)));
const besideOthers = new Set(tiers.flatMap((t) => besideOf(t).flat()));
for (const tier of tiers) {
  if (besideOthers.has(tier)) continue;
  const partners = besideOf(tier).map(async (lane) => {
    for (const t of lane) await runTier(t, true);
  });
  await runTier(tier, false);
  await Promise.all(partners);
}
if (skipped.length) {
  console.log(`\n${skipped.length} skipped test(s):\n  ${skipped.join('\n  ')}`);
  if (process.env.CI === 'true') {
    console.error('CI=true: a skipped test is a failure (install what the skipped tier needs; see README).');
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
