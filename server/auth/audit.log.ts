import type { AuditEntry, AuditFilter, AuditRepository, AuditVerification } from '../store/audit.repository.js';
import type { Logger } from '../shared/log.js';
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

/**
 * The audit log service: appends entries one at a time per process (the repository also locks
 * across processes) and reads and verifies the chain. Nothing can edit or delete entries.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
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
    const next = this.tail.then(() => this.repo.append(entry));
    // The queue continues after a failure; the caller still sees the error.
    this.tail = next.catch((err: unknown) => this.log.error('audit append failed', { action: entry.action, err }));
    return next;
  }

  list(filter: AuditFilter): Promise<AuditEntry[]> {
    return this.repo.list(filter);
  }

  async verify(): Promise<AuditVerification> {
    await this.tail;
    return this.repo.verify();
  }

  /** Waits for queued appends (shutdown, tests). */
  async flush(): Promise<void> {
    await this.tail;
  }
}
