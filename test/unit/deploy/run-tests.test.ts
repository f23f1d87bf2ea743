import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../../scripts/run-tests.mjs');
// Only the refusals are exercised here: each exits before vitest would start.
const run = (env: Record<string, string | undefined>, args: string[] = []) => {
  const { CI: _ci, TEST_DATABASE_URL: _db, BINHYEN_TEST_TIERS: _tiers, ...rest } = process.env;
  return spawnSync(process.execPath, [script, ...args], { env: { ...rest, ...env }, encoding: 'utf8' });
};

describe('npm test under CI=true refuses a smaller run', () => {
  it('fails without TEST_DATABASE_URL: the PostgreSQL store tests would silently not run', () => {
    const r = run({ CI: 'true' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/TEST_DATABASE_URL is not set/);
  });

  it('fails with a tier filter or extra vitest arguments', () => {
    expect(run({ CI: 'true', TEST_DATABASE_URL: 'postgres://x', BINHYEN_TEST_TIERS: 'unit' }).stderr).toMatch(/leaves tiers out/);
    expect(run({ CI: 'true', TEST_DATABASE_URL: 'postgres://x' }, ['-t', 'store']).stderr).toMatch(/filter the run/);
  });
});
