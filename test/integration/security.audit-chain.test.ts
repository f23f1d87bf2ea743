import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerification } from '../../server/auth/audit.chain.js';
import { dbTargets } from '../support/db.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, startAuthServer } from './auth.world.js';

/**
 * Issue 12, finding 4: someone with write access to the database but not the audit key edits
 * an entry and recomputes every hash after it, or deletes the newest entries. Both the admin
 * API and `binhyen audit verify` (the compiled CLI) must name the first bad entry.
 */
const CLI = path.join(__dirname, '../../dist/server/cli.js');

interface Row {
  id: number;
  at: number;
  user_id: number | null;
  username: string | null;
  ip: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  hash_version: number;
}

/** What an attacker can compute: the (public) entry serialisation, hashed without the key. */
const attackerHash = (r: Row) =>
  createHash('sha256')
    .update(JSON.stringify([r.hash_version, r.prev_hash, Number(r.at), r.user_id, r.username, r.ip, r.action, r.resource_type, r.resource_id, r.detail]))
    .digest('hex');

for (const target of dbTargets) {
  describe(`audit chain under attack on ${target.name}`, () => {
    let srv: TestServer;
    let admin: string;
    let cleanupDb: (() => Promise<void>) | undefined;

    const cli = () => {
      const env = {
        PATH: process.env.PATH ?? '',
        BINHYEN_DATA_DIR: srv.config.dataDir,
        BINHYEN_DATABASE_URL: srv.config.databaseUrl,
        BINHYEN_LOG_LEVEL: 'error',
      };
      const r = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--json'], { encoding: 'utf8', env, timeout: 30_000 });
      return { code: r.status, v: JSON.parse(r.stdout) as AuditVerification & { message: string } };
    };
    const api = async () => (await call<AuditVerification>(srv, 'GET', '/api/audit/verify', { cookie: admin })).body;
    const rows = async () => ((await srv.store.db('audit_log').orderBy('id')) as Row[]).map((r) => ({ ...r, id: Number(r.id) }));

    beforeAll(async () => {
      expect(existsSync(CLI), 'run `npx tsc -p tsconfig.build.json` (npm test builds) before this test').toBe(true);
      let databaseUrl: string | undefined;
      if (target.name === 'postgres') {
        const opened = await target.open();
        databaseUrl = opened.url;
        cleanupDb = opened.cleanup;
      }
      srv = await startAuthServer({}, databaseUrl ? { databaseUrl } : {});
      await addUser(srv, 'chief', ['admin']);
      await addUser(srv, 'officer', ['police']);
      admin = await login(srv, 'chief');
      for (let i = 0; i < 3; i++) await call(srv, 'POST', '/api/auth/login', { body: { username: 'officer', password: `wrong ${i}` } });
      await login(srv, 'officer');
    });
    afterAll(async () => {
      await srv?.stop();
      await cleanupDb?.();
    });

    it('verifies an intact chain in the API and the CLI alike, and anchors its head outside the database', async () => {
      // Started on an empty log: the first entry brought the first anchor, without waiting for the timer.
      expect(existsSync(srv.config.audit.anchorFile)).toBe(true);
      await srv.auth.audit.anchorNow();
      const anchor = JSON.parse(readFileSync(srv.config.audit.anchorFile, 'utf8')) as { id: number; hash: string; mac: string };
      const head = (await rows()).at(-1)!;
      expect(anchor).toMatchObject({ id: head.id, hash: head.hash });
      expect(srv.logs.some((l) => l.includes('audit anchor') && l.includes(head.hash))).toBe(true);
      expect(await api()).toMatchObject({ ok: true, headId: head.id, anchor: { state: 'ok', id: head.id } });
      const c = cli();
      expect(c).toMatchObject({ code: 0, v: { ok: true, headId: head.id } });
      expect(c.v.message).toMatch(/^Audit chain intact: \d+ entries verified/);
    });

    it('names the edited entry when it was edited and every hash after it recomputed without the key', async () => {
      const before = await rows();
      const victim = before.find((r) => r.action === 'auth.login.failure')!;
      let prev = before[before.indexOf(victim) - 1]!.hash;
      for (const r of before.slice(before.indexOf(victim))) {
        const forged = { ...r, username: r.id === victim.id ? 'someone-else' : r.username, prev_hash: prev };
        forged.hash = attackerHash(forged);
        await srv.store.db.raw('update audit_log set username = ?, prev_hash = ?, hash = ? where id = ?', [
          forged.username,
          forged.prev_hash,
          forged.hash,
          r.id,
        ]);
        prev = forged.hash;
      }
      expect(await api()).toMatchObject({ ok: false, reason: 'hash_mismatch', firstBadId: victim.id });
      const c = cli();
      expect(c).toMatchObject({ code: 1, v: { ok: false, reason: 'hash_mismatch', firstBadId: victim.id } });
      expect(c.v.message).toContain(`entry #${victim.id} was changed`);
      for (const r of before) await srv.store.db('audit_log').where({ id: r.id }).update({ username: r.username, prev_hash: r.prev_hash, hash: r.hash });
      expect((await api()).ok).toBe(true);
    });

    it('names the first missing entry when the newest ones were deleted, and keeps the anchor as evidence', async () => {
      const anchored = readFileSync(srv.config.audit.anchorFile, 'utf8');
      const all = await rows();
      const keep = all[all.length - 4]!;
      await srv.store.db.raw('delete from audit_log where id > ?', [keep.id]);
      expect(await api()).toMatchObject({ ok: false, reason: 'truncated', firstBadId: keep.id + 1 });
      const c = cli();
      expect(c).toMatchObject({ code: 1, v: { ok: false, reason: 'truncated', firstBadId: keep.id + 1 } });
      expect(c.v.message).toContain(`newest entries are missing from #${keep.id + 1} on`);
      // The periodic anchor write must not bless the shorter chain.
      await srv.auth.audit.anchorNow();
      expect(readFileSync(srv.config.audit.anchorFile, 'utf8')).toBe(anchored);
      expect(srv.logs.some((l) => l.includes('audit chain broken since the last anchor') && l.includes('"reason":"truncated"'))).toBe(true);
    });
  });
}
