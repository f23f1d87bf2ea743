import { describe, expect, it } from 'vitest';
import { ClusterCoordinator } from '../../../server/cluster/cluster.coordinator.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { ClusterRepository, LeaseRow, NodeRow } from '../../../server/store/cluster.repository.js';

/** A lease table in memory with the repository's semantics (free or expired to take, renew only while live). */
function fakeRepo(now: () => number, calls: string[] = []) {
  const leases = new Map<string, LeaseRow>();
  const nodes = new Map<string, NodeRow>();
  const repo = {
    now: async () => now(),
    heartbeat: async (n: { id: string; cpu: number; cameras: number }, starting: boolean) => {
      const prev = nodes.get(n.id);
      nodes.set(n.id, {
        id: n.id,
        url: '',
        version: '',
        startedAt: starting || !prev ? now() - 60_000 : prev.startedAt,
        heartbeatAt: now(),
        cameras: n.cameras,
        cpu: n.cpu,
      });
      return now();
    },
    nodes: async () => [...nodes.values()],
    leases: async () => [...leases.values()],
    ensureCameraRows: async (ids: number[]) => {
      for (const id of ids)
        if (!leases.has(`camera:${id}`))
          leases.set(`camera:${id}`, { name: `camera:${id}`, cameraId: id, owner: null, epoch: 0, expiresAt: 0, pinnedNode: null });
    },
    ensureRow: async (name: string) =>
      void (leases.has(name) || leases.set(name, { name, cameraId: null, owner: null, epoch: 0, expiresAt: 0, pinnedNode: null })),
    renew: async (owner: string, names: string[], ttl: number) => {
      const out = new Map<string, number>();
      for (const n of names) {
        const l = leases.get(n);
        if (l && l.owner === owner && l.expiresAt > now()) {
          l.expiresAt = now() + ttl;
          out.set(n, l.epoch);
        }
      }
      return out;
    },
    acquire: async (owner: string, name: string, ttl: number) => {
      const l = leases.get(name)!;
      if (l.owner !== null && l.expiresAt > now()) return undefined;
      Object.assign(l, { owner, epoch: l.epoch + 1, expiresAt: now() + ttl });
      calls.push(`acquire ${name}`);
      return l.epoch;
    },
    release: async (owner: string, name: string) => {
      const l = leases.get(name)!;
      if (l.owner === owner) Object.assign(l, { owner: null, expiresAt: 0 });
      calls.push(`release ${name}`);
    },
    releaseAll: async () => 0,
  };
  return { repo: repo as unknown as ClusterRepository, leases, nodes, calls };
}

describe('cluster coordinator', () => {
  let clock = 1_000_000;
  const now = () => clock;

  function make(fake: ReturnType<typeof fakeRepo>, cams: number[], calls: string[], heartbeatMs = 2_000) {
    const c: ClusterCoordinator = new ClusterCoordinator({
      nodeId: 'a',
      url: 'http://a',
      version: 'v',
      repo: fake.repo,
      cameras: async () => cams.map((id) => ({ id, version: '1' })),
      work: {
        startCamera: async (id) => void calls.push(`start ${id} epoch ${c.epochOf(id)}`),
        stopCamera: async (id) => void calls.push(`stop ${id} epoch ${c.epochOf(id)}`),
        dropped: async (id) => void calls.push(`dropped ${id}`),
      },
      jobs: [{ name: 'notify', start: async () => void calls.push('job start'), stop: async () => void calls.push('job stop') }],
      config: { leaseTtlMs: 10_000, heartbeatMs, joinAfterMs: 0 },
      cpu: () => 0.1,
      log: silentLogger,
      monotonic: now,
    });
    return c;
  }

  it('takes free cameras and the job, and starts each camera under its epoch', async () => {
    const fake = fakeRepo(now);
    const calls: string[] = [];
    const c = make(fake, [1, 2], calls);
    await c.start();
    await c.stop();
    expect(calls.slice(0, 3)).toEqual(['start 1 epoch 1', 'start 2 epoch 1', 'job start']);
    expect(calls.slice(3)).toEqual(['stop 1 epoch 1', 'dropped 1', 'stop 2 epoch 1', 'dropped 2', 'job stop']); // a clean stop hands everything over
  });

  it('forgets a lost lease before stopping the camera (the fence refuses its last writes), and stops all when renewals fail past the TTL', async () => {
    const fake = fakeRepo(now);
    const calls: string[] = [];
    const c = make(fake, [1, 2], calls);
    await c.start();
    // another node took camera 1 after it expired
    Object.assign(fake.leases.get('camera:1')!, { owner: 'b', epoch: 2, expiresAt: clock + 10_000 });
    fake.nodes.set('b', { id: 'b', url: '', version: '', startedAt: 0, heartbeatAt: clock, cameras: 1, cpu: 0 });
    clock += 2_000;
    c.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toContain('stop 1 epoch undefined');
    expect(c.heldCameras()).toEqual([2]);
    // the database stops answering: past the TTL everything stops on its own
    fake.repo.heartbeat = async () => {
      throw new Error('connection lost');
    };
    clock += 11_000;
    c.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(c.heldCameras()).toEqual([]);
    expect(calls).toEqual(expect.arrayContaining(['stop 2 epoch undefined', 'job stop']));
    expect(c.renewing()).toBe(false);
    await c.stop();
  });

  it('hands a camera over by stopping it first and releasing its lease after', async () => {
    const calls: string[] = [];
    const fake = fakeRepo(now, calls);
    const c = make(fake, [1, 2], calls);
    await c.start();
    fake.nodes.set('b', { id: 'b', url: '', version: '', startedAt: 0, heartbeatAt: clock, cameras: 0, cpu: 0 });
    clock += 2_000;
    c.kick();
    await new Promise((r) => setTimeout(r, 20));
    const stop = calls.findIndex((x) => x.startsWith('stop 2'));
    expect(calls[stop]).toBe('stop 2 epoch 1'); // still held while its last writes land
    expect(calls.slice(stop)).toEqual(['stop 2 epoch 1', 'dropped 2', 'release camera:2']);
    await c.stop();
  });

  it('starts only what fits in a third of the TTL per round, so slow camera starts never let the first leases expire', async () => {
    const fake = fakeRepo(now);
    const calls: string[] = [];
    const c = make(fake, [1, 2, 3, 4, 5], calls);
    const start = c['d'].work.startCamera;
    c['d'].work.startCamera = async (id) => {
      clock += 2_000; // a loaded machine: two seconds per camera start
      await start(id);
    };
    await c.start();
    expect(c.heldCameras()).toEqual([1, 2]); // the third would begin past 3.3 s
    expect(fake.leases.get('camera:3')!.owner).toBeNull();
    c.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(c.heldCameras()).toEqual([1, 2, 3, 4]);
    // renewed at the round's start: none of the first leases ran out meanwhile
    expect(calls.filter((x) => x.startsWith('stop'))).toEqual([]);
    await c.stop();
  });

  it('stops a camera at once when the fence refused one of its writes (its lease was gone before the round noticed)', async () => {
    const fake = fakeRepo(now);
    const calls: string[] = [];
    const c = make(fake, [1, 2], calls);
    await c.start();
    c.refused(1);
    expect(c.epochOf(1)).toBeUndefined(); // later writes are refused without asking the database
    c.refused(1); // told twice: stopped once
    c.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.filter((x) => x.startsWith('stop'))).toEqual(['stop 1 epoch undefined']);
    expect(c.heldCameras()).toEqual([2]);
    await c.stop();
  });

  it('renews its leases while a round is still starting a slow camera, so the cameras it runs are not lost meanwhile', async () => {
    const fake = fakeRepo(now);
    const calls: string[] = [];
    const cams = [1];
    // Heartbeats every 50 ms of real time; the fake clock says how long things took.
    const c = make(fake, cams, calls, 50);
    await c.start();
    const start = c['d'].work.startCamera;
    c['d'].work.startCamera = async (id) => {
      for (let i = 0; i < 2; i++) {
        clock += 6_000; // camera 2 takes 12 s to start: longer than the lease
        await new Promise((r) => setTimeout(r, 150)); // a heartbeat passes meanwhile
      }
      await start(id);
    };
    cams.push(2);
    c.kick();
    await new Promise((r) => setTimeout(r, 500));
    expect(c.heldCameras()).toEqual([1, 2]);
    expect(calls.filter((x) => x.startsWith('stop'))).toEqual([]); // camera 1's lease was renewed during the round
    expect(fake.leases.get('camera:1')!.expiresAt).toBeGreaterThan(clock);
    await c.stop();
  });
});
