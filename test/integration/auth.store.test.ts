import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HASH_KEYED, plainHash } from '../../server/auth/audit.chain.js';
import { CHAIN_KEYED_ACTION } from '../../server/auth/audit.log.js';
import { createAccountServices, createAuditLog } from '../../server/auth/auth.module.js';
import { configFrom } from '../../server/config/config.load.js';
import { silentLogger } from '../../server/shared/log.js';
import { AUDIT_GENESIS } from '../../server/store/audit.repository.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';
import { tempDir } from '../support/tmp.js';

/** Accounts, sessions and the audit chain against real databases (SQLite; PostgreSQL when TEST_DATABASE_URL is set). */
for (const target of dbTargets) {
  describe(`auth store on ${target.name}`, () => {
    let h: Awaited<ReturnType<typeof openMigrated>>;
    let store: Store;
    const clock = {
      t: 1_800_000_000_000,
      now() {
        return this.t;
      },
    };
    let services: ReturnType<typeof createAccountServices>;
    let deps: Parameters<typeof createAccountServices>[0];
    const tmp = tempDir('binhyen-auth-store-');

    beforeAll(async () => {
      h = await openMigrated(target);
      store = createStore(h.db);
      const config = configFrom({ dataDir: tmp.dir, auth: { scryptLog2N: 10, idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 } });
      deps = { store, config, log: silentLogger, clock };
      services = createAccountServices(deps);
    });
    afterAll(async () => {
      await h?.cleanup();
      tmp.remove();
    });

    it('creates users with roles and areas, and never returns the hash with them', async () => {
      const area = await store.areas.create({ parentId: null, kind: 'commune', name: 'Xã' });
      const u = await services.users.add(
        { username: 'Lan', password: 'a long enough password', roles: ['resident', 'technician'], areaIds: [area.id] },
        { name: 'cli' },
      );
      expect(u).toMatchObject({ username: 'lan', displayName: 'lan', roles: ['resident', 'technician'], areaIds: [area.id], disabled: false });
      expect(JSON.stringify(u)).not.toMatch(/scrypt/);
      await expect(
        services.users.add({ username: 'lan', password: 'another long password', roles: ['police'], areaIds: [] }, { name: 'cli' }),
      ).rejects.toMatchObject({ code: 'username_taken', status: 409 });
      await expect(
        services.users.add({ username: 'x y', password: 'another long password', roles: ['police'], areaIds: [] }, { name: 'cli' }),
      ).rejects.toMatchObject({ code: 'invalid_username' });
      await expect(
        services.users.add({ username: 'res', password: 'another long password', roles: ['resident'], areaIds: [] }, { name: 'cli' }),
      ).rejects.toMatchObject({ code: 'resident_needs_area' });
      await expect(
        services.users.add({ username: 'res', password: 'another long password', roles: ['resident'], areaIds: [999] }, { name: 'cli' }),
      ).rejects.toMatchObject({ code: 'unknown_area' });
      await expect(
        services.users.add({ username: 'res', password: 'res-password-123', roles: ['police'], areaIds: [] }, { name: 'cli' }),
      ).rejects.toMatchObject({ code: 'password_contains_username' });
    });

    it('ends a session after the idle timeout, unless it is used, and after the absolute timeout regardless', async () => {
      const user = (await store.users.getByUsername('lan'))!;
      const s = await services.sessions.create(user.id, '10.0.0.1');
      const t0 = clock.t;
      for (let i = 1; i <= 5; i++) {
        clock.t = t0 + i * 500_000; // every 8.3 min, within the 10-minute idle timeout
        expect(await services.sessions.principalFor(s.token, '10.0.0.1'), `use ${i}`).toMatchObject({ userId: user.id, roles: ['resident', 'technician'] });
      }
      clock.t = t0 + 3_600_000; // absolute timeout, though used 8 minutes ago
      expect(await services.sessions.principalFor(s.token, '10.0.0.1')).toBeUndefined();
      const idle = await services.sessions.create(user.id, '10.0.0.1');
      clock.t += 600_000;
      expect(await services.sessions.principalFor(idle.token, '10.0.0.1')).toBeUndefined();
    });

    it('refuses tokens it never issued, revoked tokens, and disabled users', async () => {
      const user = (await store.users.getByUsername('lan'))!;
      expect(await services.sessions.principalFor('x'.repeat(43), '1.1.1.1')).toBeUndefined();
      expect(await services.sessions.principalFor("' or 1=1 --", '1.1.1.1')).toBeUndefined();
      const a = await services.sessions.create(user.id, null);
      await services.sessions.revoke(a.hash);
      expect(await services.sessions.principalFor(a.token, '1.1.1.1')).toBeUndefined();
      const b = await services.sessions.create(user.id, null);
      await services.users.update(user.id, { disabled: true }, { name: 'cli' });
      expect(await services.sessions.principalFor(b.token, '1.1.1.1')).toBeUndefined();
      expect(await services.users.authenticate('lan', 'a long enough password')).toBeUndefined();
      await services.users.update(user.id, { disabled: false }, { name: 'cli' });
      expect(await services.users.authenticate('LAN', 'a long enough password')).toMatchObject({ id: user.id });
    });

    it('chains audit entries by hash, even when many are written at once from two writers', async () => {
      const second = createAuditLog(deps, false); // e.g. the CLI
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? services.audit : second).record({
            username: `u${i}`,
            ip: '10.0.0.1',
            action: 'test.concurrent',
            detail: { i, nested: { b: 1, a: [2, { z: 0, y: 1 }] } },
          }),
        ),
      );
      const v = await services.audit.verify();
      expect(v.ok).toBe(true);
      expect(v.checked).toBeGreaterThanOrEqual(20);
      const all = await store.audit.list({ limit: 1000 });
      expect(all.at(-1)!.prevHash).toBe(AUDIT_GENESIS);
      expect(new Set(all.map((e) => e.prevHash)).size).toBe(all.length); // no fork
      const one = all.find((e) => e.action === 'test.concurrent')!;
      expect(one.detail).toMatch(/^\{"i":\d+,"nested":\{"a":\[2,\{"y":1,"z":0\}\],"b":1\}\}$/); // canonical: sorted keys
    });

    it('keeps verifying entries from before the audit key, seals them with one keyed entry, and catches a rewrite of them', async () => {
      const old = await openMigrated(target);
      try {
        // What the code before the key wrote: plain SHA-256, no hash_version (the migration's default, 1).
        let prev = AUDIT_GENESIS;
        for (let i = 0; i < 3; i++) {
          const f = {
            at: clock.t + i,
            userId: null,
            username: 'old',
            ip: null,
            action: `old.${i}`,
            resourceType: null,
            resourceId: null,
            detail: null,
            prevHash: prev,
          };
          const hash = plainHash(f);
          await old.db('audit_log').insert({ at: f.at, username: f.username, action: f.action, prev_hash: prev, hash });
          prev = hash;
        }
        const oldStore = createStore(old.db);
        const log = createAuditLog({ ...deps, store: oldStore }, true);
        await log.start();
        await log.record({ action: 'after.key' });
        expect(await log.verify()).toMatchObject({ ok: true, checked: 5, plainEntries: 3, anchor: { state: 'ok' } });
        const marker = (await oldStore.audit.list({ limit: 1, action: CHAIN_KEYED_ACTION }))[0]!;
        expect(marker).toMatchObject({ id: 4, prevHash: prev, hashVersion: HASH_KEYED });
        expect(JSON.parse(marker.detail!)).toMatchObject({ plainEntries: 3, plainIntact: true, plainHeadId: 3 });
        // Rewriting the old, unkeyed part (edit + recomputed plain hashes) breaks at the keyed entry sealing it.
        const rows = await oldStore.audit.rowsAfter(0, 3);
        let link = AUDIT_GENESIS;
        for (const r of rows) {
          const forged = { ...r, action: r.id === 2 ? 'old.edited' : r.action, prevHash: link };
          link = plainHash(forged);
          await old.db('audit_log').where({ id: r.id }).update({ action: forged.action, prev_hash: forged.prevHash, hash: link });
        }
        expect(await log.verify()).toMatchObject({ ok: false, reason: 'prev_hash_mismatch', firstBadId: 4 });
        await log.stop();
      } finally {
        await old.cleanup();
      }
    });

    it('filters the audit log with bound parameters only', async () => {
      expect(await store.audit.list({ limit: 10, action: "test.concurrent' or '1'='1" })).toEqual([]);
      expect((await store.audit.list({ limit: 5, action: 'test.concurrent' })).length).toBe(5);
    });
  });
}
