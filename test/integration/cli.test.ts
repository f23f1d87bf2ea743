import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/store/migrations/index.js';
import { tempDir } from '../support/tmp.js';

/** The compiled CLI, as users run it (npm test builds before the tests). */
const CLI = path.join(__dirname, '../../dist/server/cli.js');
const ALL = migrations.map((m) => m.name);
const tmp = tempDir('binhyen-cli-');
afterAll(() => tmp.remove());

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BINHYEN_DATA_DIR: tmp.dir, ...env },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('binhyen CLI', () => {
  it('lists its commands and gives help for each', () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    const names = [...top.out.matchAll(/^ {2}(\S+) /gm)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['serve', 'migrate', 'config']));
    for (const name of names) {
      const h = run([name, '--help']);
      expect(h.code, name).toBe(0);
      expect(h.out, name).toMatch(/Usage: binhyen /);
    }
  });

  it('migrates up and down with --json output', () => {
    const up = run(['migrate', '--json']);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.out)).toEqual({ applied: ALL });
    expect(JSON.parse(run(['migrate', '--json']).out)).toEqual({ applied: [] });
    expect(JSON.parse(run(['migrate', '--down', '--json']).out)).toEqual({ rolledBack: true });
  });

  it('fails on bad configuration with the field and reason, exit code 78', () => {
    const r = run(['config'], { BINHYEN_PORT: '99999', BINHYEN_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(78);
    expect(r.err).toMatch(/port \(BINHYEN_PORT\): Too big/);
    expect(r.err).toMatch(/logLevel \(BINHYEN_LOG_LEVEL\)/);
  });

  it('rejects unknown commands and options with usage', () => {
    expect(run(['frobnicate']).code).toBe(2);
    const r = run(['migrate', '--sideways']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Usage: binhyen migrate/);
  });
});
