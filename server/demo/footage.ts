import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../shared/log.js';
import { repoFile } from './asset.path.js';

/**
 * The sample footage (Debian's vtest.avi) lives in a cache folder outside the repository:
 * third-party media is never committed. `scripts/fetch-sample-footage` puts it there.
 */
type Env = Record<string, string | undefined>;

/** `${BINHYEN_CACHE_DIR or XDG_CACHE_HOME or ~/.cache}/binhyen`: caches that are never committed. */
export function binhyenCacheDir(env: Env = process.env): string {
  const root = env.BINHYEN_CACHE_DIR || env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(root, 'binhyen');
}

export function sampleFootageDir(env: Env = process.env): string {
  return join(binhyenCacheDir(env), 'footage');
}

export function sampleFootagePath(env: Env = process.env): string {
  return join(sampleFootageDir(env), 'vtest.avi');
}

/** The script refuses files smaller than this too: a truncated copy is not footage. */
const MIN_BYTES = 1_000_000;

function present(path: string): boolean {
  return existsSync(path) && statSync(path).size >= MIN_BYTES;
}

export interface EnsureFootageOptions {
  env?: Env;
  /** The fetch downloads ~95 MB; give up after this long. */
  timeoutMs?: number;
  /** Path of the fetch script (tests point it at a fake). */
  scriptPath?: string;
}

/**
 * Returns the footage path, fetching it first when missing. Never throws: the demo runs on
 * a generated pattern until this resolves, and stays on it (with a clear log line) on null.
 */
export async function ensureSampleFootage(log: Logger, opts: EnsureFootageOptions = {}): Promise<string | null> {
  const env = opts.env ?? process.env;
  const path = sampleFootagePath(env);
  if (present(path)) return path;
  let script: string;
  try {
    script = opts.scriptPath ?? repoFile('scripts/fetch-sample-footage');
  } catch (err) {
    log.warn('sample footage unavailable: fetch script not found', { error: err instanceof Error ? err.message : String(err) });
    return null;
  }
  log.info('fetching sample footage (Debian opencv-doc vtest.avi) in the background', { dest: path });
  const code = await runScript(script, env, log, opts.timeoutMs ?? 10 * 60_000);
  if (code === 0 && present(path)) {
    log.info('sample footage ready', { path });
    return path;
  }
  log.warn(
    `sample footage unavailable (fetch exited with ${String(code)}); the demo camera keeps its generated pattern. Run scripts/fetch-sample-footage by hand to see why.`,
    { dest: path },
  );
  return null;
}

function runScript(script: string, env: Env, log: Logger, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => {
      log.warn('sample footage fetch timed out; stopping it', { timeoutMs });
      child.kill('SIGKILL');
    }, timeoutMs);
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log.info(line.trim());
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      log.warn('cannot run the sample footage fetch script', { script, error: err.message });
      resolve(null);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (pending.trim()) log.info(pending.trim());
      resolve(code);
    });
  });
}
