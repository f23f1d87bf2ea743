import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../shared/log.js';
import { redactWith } from '../shared/redact.js';

/**
 * The simulated camera's child processes (RTSP server, ffmpeg publishers). Each one is
 * started under `setpriv --pdeathsig SIGKILL` when available, so a test runner that dies
 * (or is SIGKILLed) never leaves an ffmpeg looping footage forever; setpriv execs the real
 * program, so the pid is the program's own.
 */
const SETPRIV = '/usr/bin/setpriv';
const TAIL_LINES = 20;

export interface ChildHandle {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Last lines of stderr, redacted, for error messages. */
  stderrTail(): string;
  isRunning(): boolean;
}

export interface SpawnOptions {
  name: string;
  logger: Logger;
  stdio?: StdioOptions;
  /** Literal secrets to mask in logged stderr (a password can appear outside a URL). */
  secrets?: readonly (string | undefined)[];
  /** Extra environment variables (credentials go here, not in the visible argument list). */
  env?: Record<string, string>;
}

export function spawnChild(command: string, args: readonly string[], opts: SpawnOptions): ChildHandle {
  const [cmd, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, [...args]];
  const proc = spawn(cmd, argv, { stdio: opts.stdio ?? ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
  const tail: string[] = [];
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('error', (err) => {
      running = false;
      tail.push(`spawn failed: ${err.message}`);
      opts.logger.warn(`${opts.name}: cannot start ${command}`, { error: err.message });
      resolve('spawn-error');
    });
    proc.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  if (proc.stderr) {
    proc.stderr.setEncoding('utf8');
    let pending = '';
    proc.stderr.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = redactWith(raw.trim(), opts.secrets ?? []);
        if (!line) continue;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        opts.logger.debug(`${opts.name}: ${line}`);
      }
    });
  }
  return { name: opts.name, proc, exited, stderrTail: () => tail.join('\n'), isRunning: () => running };
}

/** Asks politely (SIGTERM), then SIGKILLs after `graceMs`; resolves once the process is gone. */
export async function terminate(child: ChildHandle, graceMs = 2000): Promise<void> {
  if (!child.isRunning()) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** A power cut: SIGKILL, then wait for the exit so the pid is reaped. */
export async function killNow(child: ChildHandle): Promise<void> {
  if (!child.isRunning()) return;
  child.proc.kill('SIGKILL');
  await child.exited;
}

/** Rejects with `message` (plus the child's stderr) if the child exits before `ready` settles. */
export function failOnExit<T>(child: ChildHandle, ready: Promise<T>, message: string): Promise<T> {
  const died = child.exited.then((code) => {
    throw new Error(`${message}: ${child.name} exited (${String(code)})${child.stderrTail() ? `\n${child.stderrTail()}` : ''}`);
  });
  return Promise.race([ready, died]);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
