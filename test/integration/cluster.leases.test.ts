import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { configFrom, ConfigError } from '../../server/config/config.load.js';
import { checkSameKeys, formatFingerprints, keyFingerprints } from '../../server/cluster/cluster.keys.js';
import { ClusterWiring } from '../../server/main.cluster.js';
import { silentLogger } from '../../server/shared/log.js';
import { ClusterRepository, FencedError, LeaseFence, cameraLease } from '../../server/store/cluster.repository.js';
import { migrateLatest } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets } from '../support/db.js';
import { tempDir } from '../support/tmp.js';
import { addTestCamera } from './events.fixture.js';

const pg = dbTargets.find((t) => t.name === 'postgres');

/**
 * Issue 16, the lease table and the fence on PostgreSQL (the cluster's store): a lease is taken
 * only when free or expired, with a new epoch; a write of the owner passes; after the lease
 * expired or moved, the old owner's writes (event, its updates and end, recording index, event
 * clip) are refused and the node is told to stop the camera; a takeover waits for a write in
 * flight to commit instead of slipping past it; a node whose key files differ from a live
 * node's is refused at its start.
 */
describe.skipIf(!pg)('camera leases and the write fence (PostgreSQL)', () => {
  let db: Knex;
  let cleanup: () => Promise<void>;
  let repo: ClusterRepository;
  const epochs: Record<string, Map<number, number>> = { a: new Map(), b: new Map() };
  const stores: Record<string, Store> = {};
  /** Cameras each node's fence said it must stop (a write refused while it thought it owned them). */
  const stale: Record<string, number[]> = { a: [], b: [] };
  let cameraId: number;

  beforeAll(async () => {
    ({ db, cleanup } = await pg!.open());
    await migrateLatest(db);
    repo = new ClusterRepository(db);
    for (const n of ['a', 'b'])
      stores[n] = createStore(db, {
        nodeId: n,
        fence: new LeaseFence(
          n,
          (id) => epochs[n]!.get(id),
          (id) => stale[n]!.push(id),
        ),
      });
    cameraId = (await addTestCamera(createStore(db), 'Cổng chợ', null)).id;
    await repo.ensureCameraRows([cameraId]);
  });
  afterAll(async () => cleanup?.());

  const event = (n: string, at: number) =>
    stores[n]!.events.create({
      cameraId,
      areaId: null,
      trackId: null,
      label: 'person',
      score: 0.9,
      box: null,
      zones: [],
      startAt: at,
      lastSeenAt: at,
      bestAt: at,
      visibility: 'internal',
    });

  it('gives a free lease to one node, with a new epoch, and lets its writes through stamped with the node', async () => {
    const e1 = await repo.acquire('a', cameraLease(cameraId), 300);
    expect(e1).toBe(1);
    expect(await repo.acquire('b', cameraLease(cameraId), 300)).toBeUndefined(); // held: b cannot take it
    epochs.a!.set(cameraId, e1!);
    const ev = await event('a', 1000);
    expect(ev.cameraId).toBe(cameraId);
    const rec = await stores.a!.recordings.add({ cameraId, path: 'x/1.ts', startAt: 0, endAt: 2000, bytes: 10 });
    expect((await db('recordings').where({ id: rec.id }).first()).node_id).toBe('a');
    // b does not see a's recordings as its own (retention, reconcile)
    expect(await stores.b!.recordings.oldest(10)).toEqual([]);
    expect(await stores.b!.recordings.nodesOverlapping(cameraId, 0, 5000)).toEqual(['a']);
  });

  it("refuses the old owner's writes once the lease expired, and once another node took it", async () => {
    await new Promise((r) => setTimeout(r, 350)); // the 300 ms lease runs out, nobody renewed it
    await expect(event('a', 2000)).rejects.toBeInstanceOf(FencedError);
    expect(await repo.renew('a', [cameraLease(cameraId)], 300)).toEqual(new Map()); // expired: lost, not renewable
    const e2 = await repo.acquire('b', cameraLease(cameraId), 10_000);
    expect(e2).toBe(2);
    epochs.b!.set(cameraId, e2!);
    await expect(event('a', 3000)).rejects.toBeInstanceOf(FencedError);
    expect(stale.a).toContain(cameraId); // told to stop the camera it still ran
    // the event a created while it owned the camera: a can no longer update or end it …
    const mine = (await db('events').where({ camera_id: cameraId, node_id: 'a' }).first('id')) as { id: number };
    const ev = { id: mine.id, cameraId };
    await expect(stores.a!.events.updateAsOwner(ev, { lastSeenAt: 2500, snapshotPath: 'x.jpg' })).rejects.toBeInstanceOf(FencedError);
    await expect(stores.a!.events.updateAsOwner(ev, { endAt: 2600, endReason: 'lost' })).rejects.toBeInstanceOf(FencedError);
    expect(await stores.a!.events.get(mine.id)).toMatchObject({ endAt: null, lastSeenAt: 1000, snapshotPath: null });
    // … the new owner does (a takeover closes it), and a user's pin is nobody's lease
    await stores.b!.events.updateAsOwner(ev, { endAt: 1000, endReason: 'owner_lost' });
    await stores.a!.events.update(mine.id, { pinned: true });
    expect(await stores.a!.events.get(mine.id)).toMatchObject({ endAt: 1000, endReason: 'owner_lost', pinned: true });
    await expect(stores.a!.recordings.add({ cameraId, path: 'x/2.ts', startAt: 2000, endAt: 4000, bytes: 10 })).rejects.toBeInstanceOf(FencedError);
    await expect(
      stores.a!.clips.create({ cameraId, eventId: null, kind: 'event', startAt: 0, endAt: 1000, pinned: false, reason: null, createdBy: null }),
    ).rejects.toBeInstanceOf(FencedError);
    // re-indexing files already on a's disk is not an owner's write
    await stores.a!.recordings.add({ cameraId, path: 'x/0.ts', startAt: 0, endAt: 1, bytes: 1 }, { fenced: false });
    expect((await event('b', 3000)).cameraId).toBe(cameraId);
    expect((await db('events').where({ camera_id: cameraId }).select('node_id')).map((r: { node_id: string }) => r.node_id)).toEqual(['a', 'b']);
  });

  it('makes a takeover wait for a write in flight, which then commits under the old epoch; the owner renews meanwhile', async () => {
    await repo.release('b', cameraLease(cameraId));
    const e3 = await repo.acquire('b', cameraLease(cameraId), 200);
    epochs.b!.set(cameraId, e3!);
    const order: string[] = [];
    let locked!: () => void;
    const fenceHeld = new Promise<void>((r) => (locked = r));
    let renewed!: () => void;
    const renewDone = new Promise<void>((r) => (renewed = r));
    const write = stores.b!.transaction(async (tx) => {
      await tx.events.create({
        cameraId,
        areaId: null,
        trackId: null,
        label: 'car',
        score: 0.8,
        box: null,
        zones: [],
        startAt: 5,
        lastSeenAt: 5,
        bestAt: 5,
        visibility: 'internal',
      });
      locked(); // the fence's row lock is held until this transaction ends
      // A renewal blocked by this transaction would only get through after it (the guard ends the wait).
      await Promise.race([renewDone, new Promise((r) => setTimeout(r, 5000))]);
      await new Promise((r) => setTimeout(r, 500)); // the lease expires while the transaction is open
      order.push('write committed');
    });
    await fenceHeld;
    // the owner's own renewal does not wait for its writes (a busy camera would starve it past the TTL)
    await repo.renew('b', [cameraLease(cameraId)], 200);
    order.push('renewed');
    renewed();
    await new Promise((r) => setTimeout(r, 300));
    const takeover = repo.acquire('a', cameraLease(cameraId), 10_000).then((e) => order.push(`taken ${e}`));
    await Promise.all([write, takeover]);
    expect(order).toEqual(['renewed', 'write committed', `taken ${e3! + 1}`]);
  });

  it('keeps a pinned camera for its node', async () => {
    await repo.setPin(cameraId, 'c');
    await repo.release('a', cameraLease(cameraId));
    expect(await repo.acquire('a', cameraLease(cameraId), 1000)).toBeUndefined();
    expect(await repo.acquire('c', cameraLease(cameraId), 1000)).toBeGreaterThan(0);
  });

  it('refuses to start a node whose key files differ from a live node, naming the setting', async () => {
    const tmp = tempDir('binhyen-keys-');
    try {
      const keys = (dir: string, secret: string, audit: string) => {
        writeFileSync(path.join(tmp.dir, `${dir}-secret.key`), Buffer.alloc(32, secret).toString('base64'), { mode: 0o600 });
        writeFileSync(path.join(tmp.dir, `${dir}-audit.key`), Buffer.alloc(32, audit).toString('base64'), { mode: 0o600 });
        return { secretKeyFile: path.join(tmp.dir, `${dir}-secret.key`), audit: { keyFile: path.join(tmp.dir, `${dir}-audit.key`) } };
      };
      // Nothing listens here: the check comes before Redis is needed.
      const cfg = (nodeId: string, k: ReturnType<typeof keys>) =>
        configFrom({
          dataDir: tmp.dir,
          nodeId,
          ...k,
          databaseUrl: 'postgres://unused/x',
          cluster: { redisUrl: 'redis://127.0.0.1:9', secret: 'a-secret-of-16-chars' },
        });
      // A live node published the fingerprints of its keys (an HMAC of a constant, not the keys).
      const live = cfg('live', keys('live', 's', 'a'));
      expect(live.nodeId).toBe('live');
      const same = keyFingerprints({ secretKey: Buffer.alloc(32, 's'), auditKey: Buffer.alloc(32, 'a') });
      const fp = formatFingerprints(same);
      expect(fp).not.toContain(Buffer.alloc(32, 's').toString('hex'));
      await repo.heartbeat({ id: live.nodeId, url: 'http://live', version: 'v', cameras: 0, cpu: 0, keysFingerprint: fp }, true);
      const other = ClusterWiring.open(cfg('other', keys('other', 't', 'a')), silentLogger, db);
      await expect(other).rejects.toBeInstanceOf(ConfigError);
      await expect(other).rejects.toThrow(
        /secretKeyFile \(BINHYEN_SECRET_KEY_FILE\): .*other-secret\.key holds another camera-credentials key than the running node\(s\) live/,
      );
      await expect(ClusterWiring.open(cfg('other', keys('other2', 's', 'b')), silentLogger, db)).rejects.toThrow(/audit\.keyFile \(BINHYEN_AUDIT__KEY_FILE\)/);
      // the same keys pass
      const files = { secretKeyFile: 'secret.key', auditKeyFile: 'audit.key' };
      expect(() => checkSameKeys(same, [{ id: 'live', fingerprint: fp }], files)).not.toThrow();
      expect(await repo.liveFingerprints('other', 10_000)).toEqual([{ id: 'live', fingerprint: fp }]);
      expect(await repo.liveFingerprints('live', 10_000)).toEqual([]); // its own row is not compared
    } finally {
      await db('cluster_nodes').delete();
      tmp.remove();
    }
  });
});
