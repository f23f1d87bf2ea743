import { readFile } from 'node:fs/promises';

/**
 * CPU and memory of a child process from /proc (Linux). CPU is the share of one core used
 * since the previous sample of the same pid (or since the process started, on the first).
 * USER_HZ is 100 on every Linux architecture Node runs on.
 */
const USER_HZ = 100;

export interface ProcUsage {
  cpuPercent: number;
  rssBytes: number;
}

export class ProcSampler {
  private readonly last = new Map<number, { ticks: number; at: number }>();

  constructor(
    private readonly procRoot = '/proc',
    private readonly now: () => number = Date.now,
  ) {}

  async sample(pid: number | undefined): Promise<ProcUsage | undefined> {
    if (!pid) return undefined;
    let stat: string;
    let status: string;
    try {
      [stat, status] = await Promise.all([readFile(`${this.procRoot}/${pid}/stat`, 'utf8'), readFile(`${this.procRoot}/${pid}/status`, 'utf8')]);
    } catch {
      this.last.delete(pid); // the process has exited between two samples: no usage to report
      return undefined;
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
    const startTicks = Number(fields[19]); // starttime (field 22), in ticks since boot
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const at = this.now();
    const prev = this.last.get(pid);
    this.last.set(pid, { ticks, at });
    let cpuPercent: number;
    if (prev && at > prev.at) {
      cpuPercent = ((ticks - prev.ticks) / USER_HZ / ((at - prev.at) / 1000)) * 100;
    } else {
      // No /proc/uptime (not Linux): no lifetime average; the next sample gives a real figure.
      const uptime = Number((await readFile(`${this.procRoot}/uptime`, 'utf8').catch(() => '0')).split(' ')[0]);
      const aliveS = uptime - startTicks / USER_HZ;
      cpuPercent = aliveS > 0 ? (ticks / USER_HZ / aliveS) * 100 : 0;
    }
    return { cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10), rssBytes: rssKb * 1024 };
  }

  /** Forgets pids that are no longer running. */
  retain(pids: Iterable<number>): void {
    const keep = new Set(pids);
    for (const pid of this.last.keys()) if (!keep.has(pid)) this.last.delete(pid);
  }
}
