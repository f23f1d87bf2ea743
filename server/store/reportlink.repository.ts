import type { Executor } from './db.js';
import { insertReturningId, toNumberOrNull } from './repository.util.js';

/** An area's public report link (issue 13 item 2): only the token's hash is kept. */
export interface ReportLink {
  id: number;
  areaId: number;
  createdBy: number | null;
  createdAt: number;
  revokedAt: number | null;
}

type Row = Record<string, unknown>;
const toLink = (r: Row): ReportLink => ({
  id: Number(r.id),
  areaId: Number(r.area_id),
  createdBy: toNumberOrNull(r.created_by as number | null),
  createdAt: Number(r.created_at),
  revokedAt: toNumberOrNull(r.revoked_at as number | null),
});

export class ReportLinkRepository {
  constructor(private readonly db: Executor) {}

  async create(l: { areaId: number; tokenHash: string; createdBy: number | null }, now: number): Promise<ReportLink> {
    const id = await insertReturningId(this.db('report_links'), { area_id: l.areaId, token_hash: l.tokenHash, created_by: l.createdBy, created_at: now });
    return { id, areaId: l.areaId, createdBy: l.createdBy, createdAt: now, revokedAt: null };
  }

  /** The link a token opens, only while it is not revoked. */
  async activeByTokenHash(tokenHash: string): Promise<ReportLink | undefined> {
    const row = (await this.db('report_links').where({ token_hash: tokenHash }).whereNull('revoked_at').first()) as Row | undefined;
    return row && toLink(row);
  }

  /** The area's link that is switched on, if any. */
  async activeOfArea(areaId: number): Promise<ReportLink | undefined> {
    const row = (await this.db('report_links').where({ area_id: areaId }).whereNull('revoked_at').orderBy('id', 'desc').first()) as Row | undefined;
    return row && toLink(row);
  }

  /** Revokes every open link of the area; returns how many. */
  async revokeArea(areaId: number, now: number): Promise<number> {
    return this.db('report_links').where({ area_id: areaId }).whereNull('revoked_at').update({ revoked_at: now });
  }
}
