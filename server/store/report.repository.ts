import type { Executor } from './db.js';
import type { ReportCategory, ReportFields, ReportNoteVisibility, ReportState } from '../domain/report.js';
import { insertReturningId, toNumberOrNull } from './repository.util.js';

export interface ReportRecord extends ReportFields {
  reporterId: number | null;
  assigneeId: number | null;
}
export type NewReport = Pick<ReportRecord, 'areaId' | 'reporterId' | 'category' | 'body' | 'place' | 'latitude' | 'longitude' | 'occurredAt' | 'eventId'> & {
  /** Filed by a group leader for this person (their own words for who it is). */
  onBehalfOf?: string | null;
  /** Filed anonymously through this public link. */
  linkId?: number | null;
  /** sha256 of the secret the anonymous reporter follows the report with. */
  secretHash?: string | null;
  /** The client's key for this draft: a retried upload with the same key files the report once. */
  clientKey?: string | null;
};

export interface ReportPhoto {
  id: number;
  reportId: number;
  path: string;
  mime: string;
  bytes: number;
  sha256: string;
}
export interface ReportNote {
  id: number;
  reportId: number;
  userId: number | null;
  authorName: string | null;
  visibility: ReportNoteVisibility;
  body: string;
  createdAt: number;
}
export interface ReportHistoryEntry {
  fromState: ReportState | null;
  toState: ReportState;
  userId: number | null;
  at: number;
}
/** Lists are filtered in SQL: everything, the given areas, and/or one reporter's own. */
export interface ReportScope {
  all: boolean;
  areaIds: number[];
  reporterId: number | null;
}

type Row = Record<string, unknown>;
const toReport = (r: Row): ReportRecord => ({
  id: Number(r.id),
  ref: String(r.ref ?? ''),
  areaId: Number(r.area_id),
  reporterId: toNumberOrNull(r.reporter_id as number | null),
  category: r.category as ReportCategory,
  body: String(r.body),
  place: String(r.place ?? ''),
  latitude: r.latitude === null ? null : Number(r.latitude),
  longitude: r.longitude === null ? null : Number(r.longitude),
  occurredAt: Number(r.occurred_at),
  state: r.state as ReportState,
  assigneeId: toNumberOrNull(r.assignee_id as number | null),
  eventId: toNumberOrNull(r.event_id as number | null),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  closedAt: toNumberOrNull(r.closed_at as number | null),
  onBehalfOf: (r.on_behalf_of as string | null) ?? null,
  viaPublicLink: r.link_id !== null && r.link_id !== undefined,
});

/** TB-yyyymmdd-id (UTC+7 date): short enough to read out over the phone, unique by its id. */
export function reportRef(id: number, createdAt: number): string {
  const d = new Date(createdAt + 7 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `TB-${d}-${String(id).padStart(4, '0')}`;
}

export class ReportRepository {
  constructor(private readonly db: Executor) {}

  /** The report with its first history step; call inside a transaction with the photos. */
  async create(r: NewReport, now: number): Promise<ReportRecord> {
    const id = await insertReturningId(this.db('reports'), {
      area_id: r.areaId,
      reporter_id: r.reporterId,
      category: r.category,
      body: r.body,
      place: r.place,
      latitude: r.latitude,
      longitude: r.longitude,
      occurred_at: r.occurredAt,
      event_id: r.eventId,
      on_behalf_of: r.onBehalfOf ?? null,
      link_id: r.linkId ?? null,
      secret_hash: r.secretHash ?? null,
      client_key: r.clientKey ?? null,
      state: 'new',
      created_at: now,
      updated_at: now,
    });
    await this.db('reports')
      .where({ id })
      .update({ ref: reportRef(id, now) });
    await this.addHistory(id, null, 'new', r.reporterId, now);
    return (await this.get(id))!;
  }

  async get(id: number): Promise<ReportRecord | undefined> {
    const row = (await this.db('reports').where({ id }).first()) as Row | undefined;
    return row && toReport(row);
  }

  async list(scope: ReportScope, f: { state?: ReportState; areaIds?: number[]; limit: number; offset: number }) {
    const q = this.db('reports');
    if (!scope.all)
      q.where((w) => {
        if (scope.areaIds.length) w.orWhereIn('area_id', scope.areaIds);
        if (scope.reporterId !== null) w.orWhere('reporter_id', scope.reporterId);
        if (!scope.areaIds.length && scope.reporterId === null) w.whereRaw('1 = 0');
      });
    if (f.state) q.where('state', f.state);
    if (f.areaIds) q.whereIn('area_id', f.areaIds);
    const [count] = await q.clone().count<{ n: number | string }[]>({ n: 'id' });
    const rows = (await q.orderBy('id', 'desc').limit(f.limit).offset(f.offset)) as Row[];
    return { items: rows.map(toReport), total: Number(count?.n ?? 0) };
  }

  async update(id: number, patch: Partial<Pick<ReportRecord, 'state' | 'assigneeId' | 'closedAt'>>, now: number): Promise<void> {
    const row: Row = { updated_at: now };
    if (patch.state !== undefined) row.state = patch.state;
    if (patch.assigneeId !== undefined) row.assignee_id = patch.assigneeId;
    if (patch.closedAt !== undefined) row.closed_at = patch.closedAt;
    await this.db('reports').where({ id }).update(row);
  }

  /** Returns the step's id (a notification's de-duplication key). */
  async addHistory(reportId: number, from: ReportState | null, to: ReportState, userId: number | null, at: number): Promise<number> {
    return insertReturningId(this.db('report_history'), { report_id: reportId, from_state: from, to_state: to, user_id: userId, at });
  }

  async history(reportId: number): Promise<ReportHistoryEntry[]> {
    const rows = (await this.db('report_history').where({ report_id: reportId }).orderBy('id')) as Row[];
    return rows.map((r) => ({
      fromState: (r.from_state as ReportState | null) ?? null,
      toState: r.to_state as ReportState,
      userId: toNumberOrNull(r.user_id as number | null),
      at: Number(r.at),
    }));
  }

  async addPhoto(p: Omit<ReportPhoto, 'id'>, now: number): Promise<number> {
    return insertReturningId(this.db('report_photos'), {
      report_id: p.reportId,
      path: p.path,
      mime: p.mime,
      bytes: p.bytes,
      sha256: p.sha256,
      created_at: now,
    });
  }

  async photos(reportId: number): Promise<ReportPhoto[]> {
    const rows = (await this.db('report_photos').where({ report_id: reportId }).orderBy('id')) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      reportId: Number(r.report_id),
      path: String(r.path),
      mime: String(r.mime),
      bytes: Number(r.bytes),
      sha256: String(r.sha256),
    }));
  }

  async addNote(n: { reportId: number; userId: number | null; visibility: ReportNoteVisibility; body: string }, now: number): Promise<ReportNote> {
    const id = await insertReturningId(this.db('report_notes'), {
      report_id: n.reportId,
      user_id: n.userId,
      visibility: n.visibility,
      body: n.body,
      created_at: now,
    });
    return (await this.notes(n.reportId, false)).find((x) => x.id === id)!;
  }

  async notes(reportId: number, publicOnly: boolean): Promise<ReportNote[]> {
    const q = this.db('report_notes')
      .leftJoin('users', 'users.id', 'report_notes.user_id')
      .select('report_notes.*', { dn: 'users.display_name', un: 'users.username' })
      .where('report_notes.report_id', reportId)
      .orderBy('report_notes.id');
    if (publicOnly) q.where('report_notes.visibility', 'public');
    return ((await q) as Row[]).map((r) => ({
      id: Number(r.id),
      reportId: Number(r.report_id),
      userId: toNumberOrNull(r.user_id as number | null),
      authorName: ((r.dn as string | null) || (r.un as string | null)) ?? null,
      visibility: r.visibility as ReportNoteVisibility,
      body: String(r.body),
      createdAt: Number(r.created_at),
    }));
  }

  async addEvidence(reportId: number, clipId: number, userId: number | null, now: number): Promise<void> {
    await this.db('report_evidence').insert({ report_id: reportId, clip_id: clipId, user_id: userId, created_at: now });
  }

  async evidenceClipIds(reportId: number): Promise<number[]> {
    const rows = (await this.db('report_evidence').where({ report_id: reportId }).orderBy('id').select('clip_id')) as Row[];
    return rows.map((r) => Number(r.clip_id));
  }

  /** The report this reporter already filed from the same draft (a retried upload). */
  async byClientKey(reporterId: number, clientKey: string): Promise<ReportRecord | undefined> {
    const row = (await this.db('reports').where({ reporter_id: reporterId, client_key: clientKey }).first()) as Row | undefined;
    return row && toReport(row);
  }

  /** An anonymous report by its reference number, with the hash of its secret (null for reports filed by an account). */
  async byRef(ref: string): Promise<{ report: ReportRecord; secretHash: string | null } | undefined> {
    const row = (await this.db('reports').where({ ref }).first()) as Row | undefined;
    return row && { report: toReport(row), secretHash: (row.secret_hash as string | null) ?? null };
  }

  /** Reports filed through one public link since `since` (the per-link flood limit counts them). */
  async countByLinkSince(linkId: number, since: number): Promise<number> {
    const [row] = await this.db('reports').where('link_id', linkId).where('created_at', '>=', since).count<{ n: number | string }[]>({ n: 'id' });
    return Number(row?.n ?? 0);
  }

  /** How many reports one reporter filed since `since` (the per-reporter flood limit counts them). */
  async countByReporterSince(reporterId: number, since: number): Promise<number> {
    const [row] = await this.db('reports').where('reporter_id', reporterId).where('created_at', '>=', since).count<{ n: number | string }[]>({ n: 'id' });
    return Number(row?.n ?? 0);
  }
}
