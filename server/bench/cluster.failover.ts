import { nodeStats, type BenchNode } from './cluster.nodes.js';

/**
 * The cluster's failover time, as a person would time it: SIGKILL the node that runs the most
 * cameras, then ask the survivors every 250 ms what they run; a moved camera counts once a
 * survivor has analysed a frame of it. The time is from the kill to the last moved camera
 * analysed again: the lease TTL, a heartbeat, the camera's start (RTSP, first frames).
 */
export type FailoverResult =
  | { skipped: string }
  | { killed: string; cameras: number; failoverMs: number | null; perCameraMs: Record<number, number>; error?: string; atCameras?: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureFailover(o: { nodes: BenchNode[]; cookie: string; say(line: string): void; timeoutMs?: number }): Promise<FailoverResult> {
  const running = await Promise.all(o.nodes.map(async (n) => ({ n, ids: ((await nodeStats(n, o.cookie, 5000)) ?? []).map((r) => r.cameraId) })));
  // Never the first node: the bench reads the cluster through it.
  const victim = running
    .slice(1)
    .sort((a, b) => b.ids.length - a.ids.length)[0];
  if (!victim || !victim.ids.length) return { skipped: 'no node other than the first ran a camera' };
  const survivors = o.nodes.filter((n) => n !== victim.n);
  const moved = new Set(victim.ids);
  const perCameraMs: Record<number, number> = {};
  const killedAt = performance.now();
  victim.n.proc.kill('SIGKILL');
  await victim.n.exited;
  const deadline = killedAt + (o.timeoutMs ?? 60_000);
  while (Object.keys(perCameraMs).length < moved.size && performance.now() < deadline) {
    // A generous timeout: a survivor slow to answer on a loaded machine must not read as "runs nothing".
    const rows = (await Promise.all(survivors.map((n) => nodeStats(n, o.cookie, 10_000)))).flatMap((r) => r ?? []);
    const at = performance.now();
    for (const r of rows) if (moved.has(r.cameraId) && perCameraMs[r.cameraId] === undefined && (r.detection?.analysed ?? 0) > 0) perCameraMs[r.cameraId] = Math.round(at - killedAt);
    await sleep(250);
  }
  const done = Object.keys(perCameraMs).length === moved.size;
  const failoverMs = done ? Math.max(...Object.values(perCameraMs)) : null;
  o.say(`  failover: SIGKILL ${victim.n.id} (${moved.size} cameras) → ${done ? `all analysed again on the survivors after ${failoverMs} ms` : `only ${Object.keys(perCameraMs).length} analysed again within ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s`}`);
  return { killed: victim.n.id, cameras: moved.size, failoverMs, perCameraMs, ...(done ? {} : { error: 'not every moved camera was analysed again in time' }) };
}
