import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, CLI, descendants } from '../support/procs.js';
import { waitFor } from './ingest.helpers.js';

/**
 * The real server process (`binhyen serve`, compiled) with its demo camera: SIGTERM must stop
 * every ffmpeg and simulator process it started, leaving no orphan.
 */
describe('server shutdown', () => {
  let server: ChildProcess | undefined;
  afterAll(() => {
    if (server?.exitCode === null) server.kill('SIGKILL');
  });

  it('stops every ffmpeg and simulator process on SIGTERM', async () => {
    expect(existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-shutdown-'));
    let log = '';
    server = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        ...process.env,
        BINHYEN_DATA_DIR: dataDir,
        BINHYEN_PORT: '0',
        BINHYEN_HOST: '127.0.0.1',
        BINHYEN_DEMO_CAMERA: 'true',
        BINHYEN_DETECT__BACKEND: 'wasm',
        BINHYEN_DETECT__WORKERS: '1',
        BINHYEN_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const pid = server.pid!;
    await waitFor('the demo camera online', () => /camera \d+ online/.test(log), 45_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n${log.slice(-3000)}`);
    });
    const before = descendants(pid);
    expect(before.filter((p) => p.comm === 'ffmpeg').length).toBeGreaterThanOrEqual(2); // ingest + the simulator's publisher
    const exited = new Promise<number | null>((r) => server!.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    const left = before.filter((p) => alive(p.pid));
    expect(left, `still running after shutdown: ${JSON.stringify(left)}`).toEqual([]);
    expect(log).toMatch(/camera \d+ stopped/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
