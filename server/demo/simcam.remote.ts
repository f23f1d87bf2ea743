import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SimulatedCameraOptions } from './sim-camera.js';

/**
 * A simulated camera in a process of its own (simcam.main.ts): the wall clock it burns into its
 * pictures is on time whatever the caller's event loop is doing (a benchmark's server, a test
 * that decodes video), and its CPU is counted apart.
 */
export interface RemoteCamera {
  child: ChildProcess;
  rtspUrl: string;
  /** Its RTSP server and publishers. */
  pids: number[];
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./simcam.main.js', import.meta.url));

/** `main`: the built simcam.main.js (tests run this file from source, where it has no .js beside it). */
export async function startRemoteCamera(opts: Omit<SimulatedCameraOptions, 'logger'>, main = MAIN): Promise<RemoteCamera> {
  const child = spawn(process.execPath, [main, JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulated camera process exited (${code})`)));
  });
  const ready = JSON.parse(first) as { rtspUrl: string; pids: number[] };
  return {
    child,
    rtspUrl: ready.rtspUrl,
    pids: ready.pids,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin?.end();
      await gone;
    },
  };
}
