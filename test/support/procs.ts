import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/version.js';

/**
 * The real server as a process (`binhyen serve`, compiled) and what it leaves running: for the
 * tests that stop it with a signal and look for orphans.
 */
export const CLI = path.join(PROJECT_ROOT, 'dist', 'server', 'cli.js');

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.push({ pid: Number(name), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      // gone while listing: not a descendant any more
    }
  }
  return out;
}

export function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const c of all.filter((x) => x.ppid === p)) {
      found.push(c);
      queue.push(c.pid);
    }
  }
  return found;
}

/** The command line of a process ('' once it is gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export const alive = (pid: number) => {
  try {
    return existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

export interface ServerProcess {
  proc: ChildProcess;
  /** Everything it printed so far. */
  log(): string;
  /** Its URL once it listens. */
  url: Promise<string>;
  /** Exit code, once it exited. */
  exited: Promise<number | null>;
}

/** Starts `binhyen serve` with `env` on top of the test's environment (loopback, port 0, no demo camera unless set). */
export function spawnServer(env: Record<string, string>): ServerProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  const proc = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, BINHYEN_PORT: '0', BINHYEN_HOST: '127.0.0.1', BINHYEN_DEMO_CAMERA: 'false', BINHYEN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let onText: () => void = () => {};
  const add = (d: Buffer) => {
    text += d.toString();
    onText();
  };
  proc.stdout!.on('data', add);
  proc.stderr!.on('data', add);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = new Promise<string>((resolve, reject) => {
    onText = () => {
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]!);
    };
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${text.slice(-3000)}`)));
  });
  return { proc, log: () => text, url, exited };
}
