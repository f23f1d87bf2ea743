import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/version.js';
import { waitFor } from './ingest.helpers.js';

/**
 * Issue 19, defect 9: after `kill -9` of the server, an ffmpeg writing a file (a clip cut) kept
 * running as an orphan. A node process (the compiled adapter, as the server runs it) starts
 * two ffmpeg that write files and never read a pipe of ours, and is then SIGKILLed.
 */
const ADAPTER = path.join(PROJECT_ROOT, 'dist', 'server', 'ingest', 'ffmpeg.adapter.js');
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('ffmpeg lives no longer than the server (issue 19, defect 9)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-lifetime-'));
  let parent: ChildProcess | undefined;
  afterAll(() => {
    if (parent?.exitCode === null) parent.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills every ffmpeg the server started when the server is SIGKILLed', async () => {
    expect(existsSync(ADAPTER), `${ADAPTER} missing: run npm run build first`).toBe(true);
    const script = path.join(dir, 'parent.mjs');
    const out = (n: string) => JSON.stringify(path.join(dir, n));
    // One long run through run() (how clips are cut) and one through spawn() (sessions), both to files.
    writeFileSync(
      script,
      `
      import { FfmpegAdapter } from ${JSON.stringify(pathToFileURL(ADAPTER).href)};
      const ff = await FfmpegAdapter.create();
      const src = ['-hide_banner', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '120', '-y'];
      void ff.run([...src, ${out('run.ts')}], { timeoutMs: 300000 });
      const p = ff.spawn([...src, ${out('spawn.ts')}]);
      p.stderr.resume();
      setTimeout(() => console.log('ready'), 1500);
      setInterval(() => {}, 1000);
    `,
    );
    parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    parent.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    await waitFor('the parent ready', () => said.includes('ready'), 20_000);
    const kids = childrenOf(parent.pid!);
    expect(kids.map((k) => k.comm).sort()).toEqual(['ffmpeg', 'ffmpeg']);
    // Both are writing.
    await waitFor('files growing', () => ['run.ts', 'spawn.ts'].every((n) => existsSync(path.join(dir, n)) && statSync(path.join(dir, n)).size > 0), 10_000);
    parent.kill('SIGKILL');
    await waitFor('every ffmpeg gone', () => kids.every((k) => !alive(k.pid)), 5000, 50);
  });
});

function childrenOf(ppid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push({ pid: Number(name), comm });
    } catch {
      // ended while listing
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
