import os from 'node:os';

/** This process's CPU share of the machine since the last call, 0..1 (cheap: two counters). */
export function cpuMeter(): () => number {
  let last = { usage: process.cpuUsage(), at: performance.now() };
  const cores = Math.max(1, os.availableParallelism());
  return () => {
    const usage = process.cpuUsage();
    const at = performance.now();
    const usedMs = (usage.user - last.usage.user + usage.system - last.usage.system) / 1000;
    const share = at > last.at ? usedMs / (at - last.at) / cores : 0;
    last = { usage, at };
    return Math.round(Math.min(1, Math.max(0, share)) * 1000) / 1000;
  };
}
