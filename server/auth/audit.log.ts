import type { AuditEntry, AuditFilter, AuditRepository } from '../store/audit.repository.js';
import type { Logger } from '../shared/log.js';
import type { AnchorFile } from './audit.anchor.js';
import { HASH_PLAIN, verifyAuditChain, verifySinceAnchor, type AuditKey, type AuditVerification } from './audit.chain.js';
import type { Principal, ResourceRef } from './authorize.js';
import type { Clock } from './session.service.js';

/** What other modules pass to record an audit entry. */
export interface AuditRecord {
  /** Who acted; omit for system actions. For a failed login pass `username` without a principal. */
  principal?: Principal;
  username?: string | null;
  ip?: string | null;
  /** e.g. 'auth.login.failure', 'clip.read', 'camera.update'. */
  action: string;
  resource?: Pick<ResourceRef, 'type' | 'id'>;
  /** Never secrets: no passwords, tokens or camera credentials. */
  detail?: Record<string, unknown>;
}

export interface AuditLogOptions {
  key: AuditKey;
  /** Without it (the CLI's account commands) nothing is anchored and verify() reports the anchor missing. */
  anchor?: AnchorFile;
  anchorEveryMs?: number;
}

/** The action of the keyed entry that seals a chain of plain-hashed entries (an install from before the key). */
export const CHAIN_KEYED_ACTION = 'audit.chain.keyed';

/**
 * The audit log service: appends entries one at a time per process (the repository also locks
 * across processes), sealed with the audit key; reads and verifies the chain; and, in the
 * server, rewrites the anchor file every few minutes and at shutdown. Nothing can edit or
 * delete entries.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private anchoring: Promise<void> = Promise.resolve();
  /** Whether an anchor file exists: a fresh install gets its first one with its first entry, not minutes later. */
  private anchored = false;

  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: AuditLogOptions,
  ) {}

  record(r: AuditRecord): Promise<AuditEntry> {
    const p = r.principal;
    const entry = {
      at: this.clock.now(),
      userId: p?.userId ?? null,
      username: (p?.username ?? r.username ?? null)?.slice(0, 64) ?? null,
      ip: (r.ip ?? p?.ip ?? null)?.slice(0, 64) ?? null,
      action: r.action.slice(0, 64),
      resourceType: r.resource?.type.slice(0, 32) ?? null,
      resourceId: r.resource?.id === undefined ? null : String(r.resource.id).slice(0, 64),
      detail: r.detail ?? null,
    };
    const next = this.tail.then(() => this.repo.append(entry, this.o.key.sealer));
    // The queue continues after a failure; the caller still sees the error.
    this.tail = next.catch((err: unknown) => this.log.error('audit append failed', { action: entry.action, err }));
    if (this.timer && !this.anchored)
      void next.then(
        () => this.anchorNow(),
        () => undefined,
      );
    return next;
  }

  list(filter: AuditFilter): Promise<AuditEntry[]> {
    return this.repo.list(filter);
  }

  /** The whole chain and the anchor: what the admin page and `binhyen audit verify` show. */
  async verify(): Promise<AuditVerification> {
    await this.tail;
    const read = this.o.anchor ? await this.o.anchor.read() : ({ state: 'missing' } as const);
    return verifyAuditChain(this.repo, this.o.key, read);
  }

  /** Server start: seal an unkeyed chain, anchor the head, then re-anchor every few minutes. */
  async start(): Promise<void> {
    await this.sealPlainChain();
    await this.anchorNow();
    if (this.o.anchor && this.o.anchorEveryMs) {
      this.timer = setInterval(() => void this.anchorNow(), this.o.anchorEveryMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.anchorNow();
  }

  /**
   * Moves the anchor to the newest entry, once the entries since the last anchor check out
   * (so a truncated or rewritten tail is never blessed); otherwise keeps the old anchor as
   * evidence and says so in the log. Each anchor is also logged, a second copy outside the
   * database. Never throws: a failure is logged and the next run tries again.
   */
  anchorNow(): Promise<void> {
    this.anchoring = this.anchoring.then(() => this.moveAnchor().catch((err: unknown) => this.log.error('audit anchor write failed', { err })));
    return this.anchoring;
  }

  /** Waits for queued appends (shutdown, tests). */
  async flush(): Promise<void> {
    await this.tail;
  }

  private async moveAnchor(): Promise<void> {
    const file = this.o.anchor;
    if (!file) return;
    await this.tail;
    const read = await file.read();
    this.anchored = read.state !== 'missing';
    let head: AuditEntry | undefined;
    if (read.state === 'ok') {
      const since = await verifySinceAnchor(this.repo, this.o.key, read.anchor);
      if (!since.ok) {
        this.log.error('audit chain broken since the last anchor; the anchor is kept as evidence (binhyen audit verify)', {
          reason: since.reason,
          firstBadId: since.firstBadId,
          anchorId: read.anchor.id,
        });
        return;
      }
      head = since.head;
      if (head.id === read.anchor.id) return;
    } else if (read.state !== 'missing') {
      this.log.error('audit anchor file does not verify; it is kept and no new anchor is written until it is moved away', {
        file: file.file,
        state: read.state,
      });
      return;
    } else {
      head = await this.repo.head();
      if (!head) return;
      if (head.action !== CHAIN_KEYED_ACTION && head.hashVersion !== HASH_PLAIN)
        this.log.warn('audit anchor file was missing; a new one starts at the newest entry (compare with the last "audit anchor" log line)', {
          file: file.file,
        });
    }
    const anchor = await file.write(head, this.clock.now());
    this.anchored = true;
    this.log.info('audit anchor', { id: anchor.id, hash: anchor.hash, at: anchor.at, keyId: anchor.keyId });
  }

  /**
   * An install from before the audit key has plain-hashed entries only: one keyed entry on top
   * seals them (its HMAC covers their last hash) and says how many there were and whether
   * they verified, so the change of scheme is itself on the record.
   */
  private async sealPlainChain(): Promise<void> {
    const head = await this.repo.head();
    if (!head || head.hashVersion !== HASH_PLAIN) return;
    const v = await verifyAuditChain(this.repo, this.o.key, { state: 'missing' });
    await this.record({
      action: CHAIN_KEYED_ACTION,
      detail: { plainEntries: v.plainEntries, plainHeadId: head.id, plainHead: head.hash, plainIntact: v.ok, keyId: this.o.key.id },
    });
    if (!v.ok) this.log.error('the audit entries from before the audit key do not verify', { firstBadId: v.firstBadId, reason: v.reason });
    this.log.info('audit chain keyed from now on', { plainEntries: v.plainEntries, keyId: this.o.key.id });
  }
}
