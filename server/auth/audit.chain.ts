import { createHash, createHmac } from 'node:crypto';
import { AUDIT_GENESIS, canonicalJson, type AuditChainFields, type AuditEntry, type AuditSeal } from '../store/audit.repository.js';

/**
 * How audit entries are hashed, and the walk that checks them. Entries written before the
 * audit key existed (hashVersion 1) carry a plain SHA-256: anyone with write access to the
 * database could recompute those after an edit. Every later entry (hashVersion 2) carries an
 * HMAC-SHA256 under a key kept in a file outside the database, so an edit cannot be re-sealed
 * without the key, and the first keyed entry's HMAC covers the last plain hash, sealing the
 * older entries too. A plain entry after a keyed one is a downgrade and breaks the chain.
 */
export const HASH_PLAIN = 1;
export const HASH_KEYED = 2;

const serialise = (version: number, e: AuditChainFields): string =>
  JSON.stringify([version, e.prevHash, e.at, e.userId, e.username, e.ip, e.action, e.resourceType, e.resourceId, e.detail]);

/** The hash of entries from before the key (kept so those still verify). */
export function plainHash(e: AuditChainFields): string {
  return createHash('sha256').update(serialise(HASH_PLAIN, e)).digest('hex');
}

export class AuditKey {
  /** A short fingerprint (not the key): tells "another key" apart from "tampered". */
  readonly id: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the audit key must be 32 bytes, got ${key.length}`);
    this.key = Buffer.from(key);
    this.id = this.mac('key-id', 'binhyen audit key').slice(0, 16);
  }

  /** HMAC-SHA256 of a text under a purpose label, so an entry's MAC can never pass for an anchor's. */
  mac(purpose: string, text: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${text}`).digest('hex');
  }

  seal(e: AuditChainFields): string {
    return this.mac('entry', serialise(HASH_KEYED, e));
  }

  readonly sealer: AuditSeal = (e) => ({ hash: this.seal(e), hashVersion: HASH_KEYED });
}

/** The head of the chain as last written outside the database (audit.anchor.ts). */
export interface AuditAnchor {
  v: 1;
  /** Newest entry when the anchor was written. */
  id: number;
  hash: string;
  /** That entry's time. */
  at: number;
  writtenAt: number;
  keyId: string;
  /** HMAC over the fields above. */
  mac: string;
}

export function anchorMac(key: AuditKey, a: Omit<AuditAnchor, 'mac'>): string {
  return key.mac('anchor', canonicalJson({ v: a.v, id: a.id, hash: a.hash, at: a.at, writtenAt: a.writtenAt, keyId: a.keyId }));
}

export type AnchorRead =
  | { state: 'missing' }
  /** Unreadable, or its HMAC does not match: edited, or written under another key. */
  | { state: 'invalid'; detail: string }
  | { state: 'wrong_key'; keyId: string }
  | { state: 'ok'; anchor: AuditAnchor };

export type AuditBreak =
  /** An entry does not point at the one before it: an entry was deleted, inserted or reordered. */
  | 'prev_hash_mismatch'
  /** An entry's hash does not match its content: it was edited. */
  | 'hash_mismatch'
  /** A plain-hashed entry after a keyed one: the chain was rewritten without the key. */
  | 'downgrade'
  /** The entry the anchor names is gone: the newest entries were deleted. */
  | 'truncated'
  /** The entry the anchor names was replaced. */
  | 'anchor_mismatch'
  | 'anchor_invalid'
  /** The anchor was written under another key (the key file was replaced?). */
  | 'wrong_key';

export interface AuditVerification {
  ok: boolean;
  /** Entries that verified, oldest first, up to the first bad one. */
  checked: number;
  /** Of those, entries from before the audit key (plain SHA-256, sealed by the first keyed entry). */
  plainEntries: number;
  /** Newest entry that verified (null: none). */
  headId: number | null;
  headHash: string;
  firstBadId?: number;
  reason?: AuditBreak;
  anchor: { state: AnchorRead['state']; id?: number; at?: number; writtenAt?: number };
}

/** What the walk needs of the repository. */
export interface ChainReader {
  rowsAfter(afterId: number, limit: number): Promise<AuditEntry[]>;
  get(id: number): Promise<AuditEntry | undefined>;
  head(): Promise<AuditEntry | undefined>;
}

/** Checks entries one by one in id order: the link to the previous entry, then the entry's own hash. */
export class ChainWalk {
  checked = 0;
  plain = 0;
  headId: number | null = null;

  constructor(
    private readonly key: AuditKey,
    public prev = AUDIT_GENESIS,
    private keyedSeen = false,
  ) {}

  step(e: AuditEntry): AuditBreak | undefined {
    if (e.prevHash !== this.prev) return 'prev_hash_mismatch';
    if (e.hashVersion === HASH_PLAIN) {
      if (this.keyedSeen) return 'downgrade';
      if (plainHash(e) !== e.hash) return 'hash_mismatch';
      this.plain += 1;
    } else if (e.hashVersion === HASH_KEYED) {
      if (this.key.seal(e) !== e.hash) return 'hash_mismatch';
      this.keyedSeen = true;
    } else {
      return 'hash_mismatch';
    }
    this.prev = e.hash;
    this.headId = e.id;
    this.checked += 1;
    return undefined;
  }
}

const anchorSummary = (read: AnchorRead): AuditVerification['anchor'] =>
  read.state === 'ok' ? { state: 'ok', id: read.anchor.id, at: read.anchor.at, writtenAt: read.anchor.writtenAt } : { state: read.state };

/**
 * The whole chain, in pages, against the anchor: the first entry that breaks it, or the
 * newest entries missing (the anchor's entry gone) or replaced. `ok` with anchor state
 * "missing" means the chain verifies but truncation cannot be ruled out.
 */
export async function verifyAuditChain(rows: ChainReader, key: AuditKey, read: AnchorRead, pageSize = 1000): Promise<AuditVerification> {
  const walk = new ChainWalk(key);
  const result = (extra: Partial<AuditVerification> = {}): AuditVerification => ({
    ok: extra.reason === undefined,
    checked: walk.checked,
    plainEntries: walk.plain,
    headId: walk.headId,
    headHash: walk.prev,
    anchor: anchorSummary(read),
    ...extra,
  });
  if (read.state === 'wrong_key') return result({ reason: 'wrong_key' });
  if (read.state === 'invalid') return result({ reason: 'anchor_invalid' });
  const anchor = read.state === 'ok' ? read.anchor : undefined;
  let anchorSeen = false;
  for (let afterId = 0; ;) {
    const page = await rows.rowsAfter(afterId, pageSize);
    if (page.length === 0) break;
    for (const e of page) {
      const broken = walk.step(e);
      if (broken) return result({ reason: broken, firstBadId: e.id });
      if (anchor && e.id === anchor.id) {
        if (e.hash !== anchor.hash) return result({ reason: 'anchor_mismatch', firstBadId: e.id });
        anchorSeen = true;
      }
      afterId = e.id;
    }
  }
  if (anchor && !anchorSeen) {
    // Ids only grow: with the last entry before the anchor's id, everything after it is gone.
    const truncated = (walk.headId ?? 0) < anchor.id;
    return result({ reason: truncated ? 'truncated' : 'anchor_mismatch', firstBadId: truncated ? (walk.headId ?? 0) + 1 : anchor.id });
  }
  return result();
}

/**
 * Only the part written since the anchor: its entry still there and unchanged, and every
 * later entry linked and keyed. What the anchor writer checks before moving the anchor on,
 * so a truncated or rewritten tail is never blessed by a new anchor.
 */
export async function verifySinceAnchor(
  rows: ChainReader,
  key: AuditKey,
  anchor: AuditAnchor,
  pageSize = 1000,
): Promise<{ ok: true; head: AuditEntry } | { ok: false; reason: AuditBreak; firstBadId: number }> {
  const at = await rows.get(anchor.id);
  if (!at) {
    const head = await rows.head();
    const truncated = (head?.id ?? 0) < anchor.id;
    return { ok: false, reason: truncated ? 'truncated' : 'anchor_mismatch', firstBadId: truncated ? (head?.id ?? 0) + 1 : anchor.id };
  }
  if (at.hash !== anchor.hash || at.hashVersion !== HASH_KEYED || key.seal(at) !== at.hash) {
    return { ok: false, reason: 'anchor_mismatch', firstBadId: at.id };
  }
  const walk = new ChainWalk(key, at.hash, true);
  let head = at;
  for (let afterId = at.id; ;) {
    const page = await rows.rowsAfter(afterId, pageSize);
    if (page.length === 0) return { ok: true, head };
    for (const e of page) {
      const broken = walk.step(e);
      if (broken) return { ok: false, reason: broken, firstBadId: e.id };
      head = e;
      afterId = e.id;
    }
  }
}

/** One line for people (the CLI, the log). */
export function auditVerdictText(v: AuditVerification): string {
  const when = (ms: number | undefined) => (ms === undefined ? '?' : new Date(ms).toISOString());
  const counted = `${v.checked} entries verified${v.plainEntries ? ` (${v.plainEntries} from before the audit key, plain SHA-256)` : ''}`;
  const anchorText =
    v.anchor.state === 'ok'
      ? `the anchor written ${when(v.anchor.writtenAt)} names entry #${v.anchor.id}`
      : v.anchor.state === 'missing'
        ? 'no anchor file yet, so deleted newest entries could go unnoticed'
        : `the anchor file is ${v.anchor.state === 'wrong_key' ? 'under another key' : 'invalid'}`;
  if (v.ok) return `Audit chain intact: ${counted}, newest #${v.headId ?? '-'}; ${anchorText}.`;
  const why: Record<AuditBreak, string> = {
    prev_hash_mismatch: `entry #${v.firstBadId} does not follow the one before it (entries deleted, inserted or reordered)`,
    hash_mismatch: `entry #${v.firstBadId} was changed (its HMAC does not match its content)`,
    downgrade: `entry #${v.firstBadId} carries a plain hash after keyed entries (the chain was rewritten without the key)`,
    truncated: `the newest entries are missing from #${v.firstBadId} on (${anchorText})`,
    anchor_mismatch: `entry #${v.firstBadId} is not the one the anchor recorded (${anchorText})`,
    anchor_invalid: 'the anchor file does not verify under the audit key (edited, or the key file was replaced)',
    wrong_key: 'the anchor file was written under another audit key: is this the right audit.key?',
  };
  return `Audit chain BROKEN: ${why[v.reason!]}; ${counted} before it.`;
}
