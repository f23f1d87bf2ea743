import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnchorFile } from '../../../server/auth/audit.anchor.js';
import {
  anchorMac,
  auditVerdictText,
  AuditKey,
  HASH_KEYED,
  HASH_PLAIN,
  plainHash,
  verifyAuditChain,
  verifySinceAnchor,
  type AnchorRead,
  type AuditAnchor,
  type ChainReader,
} from '../../../server/auth/audit.chain.js';
import { AUDIT_GENESIS, type AuditEntry } from '../../../server/store/audit.repository.js';
import { tempDir } from '../../support/tmp.js';

/** The verifier over an in-memory table, so each attack is a plain array edit. */
const key = new AuditKey(Buffer.alloc(32, 7));
const otherKey = new AuditKey(Buffer.alloc(32, 8));

function reader(rows: AuditEntry[]): ChainReader {
  const sorted = () => [...rows].sort((a, b) => a.id - b.id);
  return {
    rowsAfter: async (afterId, limit) =>
      sorted()
        .filter((r) => r.id > afterId)
        .slice(0, limit),
    get: async (id) => rows.find((r) => r.id === id),
    head: async () => sorted().at(-1),
  };
}

/** Appends like the repository: links to the last row, hashed plain (an old install) or keyed. */
function append(rows: AuditEntry[], action: string, version = HASH_KEYED, k = key): AuditEntry {
  const prev = rows.at(-1);
  const base = {
    at: 1_800_000_000_000 + rows.length,
    userId: 1,
    username: 'chief',
    ip: '10.0.0.1',
    action,
    resourceType: null,
    resourceId: null,
    detail: null,
  };
  const fields = { ...base, prevHash: prev?.hash ?? AUDIT_GENESIS };
  const row = { id: (prev?.id ?? 0) + 1, ...fields, hash: version === HASH_PLAIN ? plainHash(fields) : k.seal(fields), hashVersion: version };
  rows.push(row);
  return row;
}

function chain(n: number, plain = 0): AuditEntry[] {
  const rows: AuditEntry[] = [];
  for (let i = 0; i < plain; i++) append(rows, `old.${i}`, HASH_PLAIN);
  for (let i = 0; i < n; i++) append(rows, `new.${i}`);
  return rows;
}

/** An attacker with the database but not the key: edits a row and recomputes every hash after it the only way they can. */
function rewriteFrom(rows: AuditEntry[], fromIndex: number, how: 'plain' | 'other-key', toIndex = rows.length) {
  for (let i = fromIndex; i < toIndex; i++) {
    const r = rows[i]!;
    r.prevHash = i === 0 ? AUDIT_GENESIS : rows[i - 1]!.hash;
    if (how === 'plain') {
      r.hash = plainHash(r);
      r.hashVersion = HASH_PLAIN;
    } else r.hash = otherKey.seal(r);
  }
}

function anchorOf(row: AuditEntry, k = key): AnchorRead {
  const body = { v: 1 as const, id: row.id, hash: row.hash, at: row.at, writtenAt: row.at + 1, keyId: k.id };
  return { state: 'ok', anchor: { ...body, mac: anchorMac(k, body) } };
}
const missing: AnchorRead = { state: 'missing' };

describe('audit chain verifier', () => {
  it('accepts an intact chain, in pages, and reports its head and the anchor', async () => {
    const rows = chain(25);
    const v = await verifyAuditChain(reader(rows), key, anchorOf(rows[19]!), 7);
    expect(v).toMatchObject({ ok: true, checked: 25, plainEntries: 0, headId: 25, headHash: rows[24]!.hash, anchor: { state: 'ok', id: 20 } });
    expect(auditVerdictText(v)).toMatch(/^Audit chain intact: 25 entries verified, newest #25; the anchor written .* names entry #20\.$/);
  });

  it('names the edited row when an attacker edits it and re-hashes everything after it without the key', async () => {
    for (const how of ['plain', 'other-key'] as const) {
      const rows = chain(10);
      rows[3]!.username = 'someone-else';
      rewriteFrom(rows, 3, how);
      const v = await verifyAuditChain(reader(rows), key, missing);
      expect(v, how).toMatchObject({ ok: false, firstBadId: 4, checked: 3, headId: 3 });
      expect(v.reason, how).toBe(how === 'plain' ? 'downgrade' : 'hash_mismatch');
      expect(auditVerdictText(v)).toMatch(/^Audit chain BROKEN: entry #4 /);
    }
  });

  it('names the first row after a deleted one', async () => {
    const rows = chain(10);
    rows.splice(5, 1);
    expect(await verifyAuditChain(reader(rows), key, missing)).toMatchObject({ ok: false, reason: 'prev_hash_mismatch', firstBadId: 7 });
  });

  it('detects deleted newest rows only against the anchor, and names the first missing id', async () => {
    const rows = chain(12);
    const anchor = anchorOf(rows[11]!);
    rows.splice(8);
    expect(await verifyAuditChain(reader(rows), key, missing)).toMatchObject({ ok: true, headId: 8, anchor: { state: 'missing' } });
    const v = await verifyAuditChain(reader(rows), key, anchor);
    expect(v).toMatchObject({ ok: false, reason: 'truncated', firstBadId: 9, checked: 8 });
    expect(auditVerdictText(v)).toMatch(/newest entries are missing from #9 on \(the anchor written .* names entry #12\)/);
    // Truncated, then re-grown by honest appends past the anchor's id: the anchored row is not the one there now.
    append(rows, 'after.1');
    append(rows, 'after.2');
    append(rows, 'after.3');
    append(rows, 'after.4');
    expect(await verifyAuditChain(reader(rows), key, anchor)).toMatchObject({ ok: false, reason: 'anchor_mismatch', firstBadId: 12 });
  });

  it('refuses an anchor under another key or with a bad HMAC', async () => {
    const rows = chain(3);
    expect(await verifyAuditChain(reader(rows), key, { state: 'wrong_key', keyId: otherKey.id })).toMatchObject({ ok: false, reason: 'wrong_key' });
    expect(await verifyAuditChain(reader(rows), key, { state: 'invalid', detail: 'x' })).toMatchObject({ ok: false, reason: 'anchor_invalid' });
  });

  it('keeps verifying an old install: plain entries, then keyed ones that seal them; a plain rewrite of the old part breaks at the first keyed entry', async () => {
    const rows = chain(4, 5);
    expect(await verifyAuditChain(reader(rows), key, missing)).toMatchObject({ ok: true, checked: 9, plainEntries: 5 });
    rows[1]!.action = 'old.edited';
    rewriteFrom(rows, 1, 'plain', 5); // the attacker can redo the plain part, not the keyed entry on top of it
    expect(await verifyAuditChain(reader(rows), key, missing)).toMatchObject({ ok: false, reason: 'prev_hash_mismatch', firstBadId: 6, plainEntries: 5 });
  });

  it('moves the anchor only over an intact tail', async () => {
    const rows = chain(10);
    const anchor = (anchorOf(rows[5]!) as { anchor: AuditAnchor }).anchor;
    expect(await verifySinceAnchor(reader(rows), key, anchor, 2)).toMatchObject({ ok: true, head: { id: 10 } });
    const edited = rows.map((r) => ({ ...r }));
    edited[8]!.detail = '{"x":1}';
    expect(await verifySinceAnchor(reader(edited), key, anchor)).toMatchObject({ ok: false, reason: 'hash_mismatch', firstBadId: 9 });
    expect(await verifySinceAnchor(reader(rows.slice(0, 4)), key, anchor)).toMatchObject({ ok: false, reason: 'truncated', firstBadId: 5 });
  });
});

describe('anchor file', () => {
  const tmp = tempDir('binhyen-anchor-');
  afterAll(() => tmp.remove());

  it('is written whole, read back, and refused when edited or under another key', async () => {
    const file = path.join(tmp.dir, 'audit-anchor.json');
    const a = new AnchorFile(file, key);
    expect(await a.read()).toEqual({ state: 'missing' });
    const written = await a.write({ id: 42, hash: 'ab'.repeat(32), at: 1000 }, 2000);
    expect(await a.read()).toEqual({ state: 'ok', anchor: written });
    expect(await new AnchorFile(file, otherKey).read()).toMatchObject({ state: 'wrong_key' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"id":42', '"id":41'));
    expect(await a.read()).toMatchObject({ state: 'invalid', detail: 'its HMAC does not match' });
    writeFileSync(file, 'garbage');
    expect(await a.read()).toMatchObject({ state: 'invalid' });
  });
});
