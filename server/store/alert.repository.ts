import type { Knex } from 'knex';
import { CLOSED_ALERT_STATES, type AlertKind, type AlertSeverity, type AlertState } from '../domain/alert.js';
import type { Visibility } from '../domain/camera.js';
import type { Executor } from './db.js';
import { applyEventScope, type AccessScope, type Page } from './event.repository.js';
import { insertReturningId, toNumberOrNull } from './repository.util.js';

export { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATES, CLOSED_ALERT_STATES, type AlertKind, type AlertSeverity, type AlertState } from '../domain/alert.js';

export interface AlertRecord {
  id: number;
  kind: AlertKind;
  severity: AlertSeverity;
  eventId: number | null;
  /** Null for a system alert (disk_low). */
  cameraId: number | null;
  areaId: number | null;
  visibility: Visibility;
  state: AlertState;
  assigneeId: number | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}
export type NewAlert = Pick<AlertRecord, 'kind' | 'severity' | 'eventId' | 'cameraId' | 'areaId' | 'visibility'>;

export interface AlertHistoryEntry {
  id: number;
  alertId: number;
  fromState: AlertState | null;
  toState: AlertState;
  userId: number | null;
  note: string | null;
  at: number;
}

export interface AlertFilter {
  cameraId?: number;
  areaIds?: number[];
  state?: AlertState;
  kind?: AlertKind;
  severity?: AlertSeverity;
  from?: number;
  to?: number;
  visibility?: Visibility;
  label?: string;
  minScore?: number;
}

export const ALERT_SORTS = { createdAt: 'alerts.created_at', updatedAt: 'alerts.updated_at', id: 'alerts.id' } as const;
export type AlertSort = keyof typeof ALERT_SORTS;

interface AlertRow {
  id: number;
  kind: AlertKind;
  severity: AlertSeverity;
  event_id: number | null;
  camera_id: number | null;
  area_id: number | null;
  visibility: Visibility;
  state: AlertState;
  assignee_id: number | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
}
interface HistoryRow {
  id: number;
  alert_id: number;
  from_state: AlertState | null;
  to_state: AlertState;
  user_id: number | null;
  note: string | null;
  at: number;
}

const toAlert = (r: AlertRow): AlertRecord => ({
  id: r.id,
  kind: r.kind,
  severity: r.severity,
  eventId: r.event_id,
  cameraId: r.camera_id,
  areaId: r.area_id,
  visibility: r.visibility,
  state: r.state,
  assigneeId: r.assignee_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  closedAt: toNumberOrNull(r.closed_at),
});
const toHistory = (r: HistoryRow): AlertHistoryEntry => ({
  id: r.id,
  alertId: r.alert_id,
  fromState: r.from_state,
  toState: r.to_state,
  userId: r.user_id,
  note: r.note,
  at: Number(r.at),
});

export class AlertRepository {
  constructor(private readonly db: Executor) {}

  async create(a: NewAlert, now = Date.now()): Promise<AlertRecord> {
    const id = await insertReturningId(this.db('alerts'), {
      kind: a.kind,
      severity: a.severity,
      event_id: a.eventId,
      camera_id: a.cameraId,
      area_id: a.areaId,
      visibility: a.visibility,
      state: 'new',
      created_at: now,
      updated_at: now,
    });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<AlertRecord | undefined> {
    const row = await this.db<AlertRow>('alerts').where({ id }).first();
    return row && toAlert(row);
  }

  async byEvent(eventId: number): Promise<AlertRecord | undefined> {
    const row = await this.db<AlertRow>('alerts').where({ event_id: eventId }).orderBy('id').first();
    return row && toAlert(row);
  }

  /** The open alert of a kind for a camera (e.g. its camera_offline alert), or of the server (cameraId null), if any. */
  /** Open object alerts of one camera whose event has this label (the MQTT count topic). */
  async countOpenByLabel(cameraId: number, label: string): Promise<number> {
    const [row] = (await this.db('alerts')
      .join('events', 'events.id', 'alerts.event_id')
      .where({ 'alerts.camera_id': cameraId, 'alerts.kind': 'object', 'events.label': label })
      .whereNotIn('alerts.state', CLOSED_ALERT_STATES as AlertState[])
      .count({ n: '*' })) as { n: number | string }[];
    return Number(row?.n ?? 0);
  }

  async openOfKind(cameraId: number | null, kind: AlertKind): Promise<AlertRecord | undefined> {
    const q = this.db<AlertRow>('alerts').where({ kind });
    if (cameraId === null) q.whereNull('camera_id');
    else q.where({ camera_id: cameraId });
    const row = await q
      .whereNotIn('state', CLOSED_ALERT_STATES as AlertState[])
      .orderBy('id', 'desc')
      .first();
    return row && toAlert(row);
  }

  async update(id: number, patch: { state?: AlertState; assigneeId?: number | null; closedAt?: number | null }, now = Date.now()): Promise<void> {
    const row: Record<string, unknown> = { updated_at: now };
    if (patch.state !== undefined) row.state = patch.state;
    if (patch.assigneeId !== undefined) row.assignee_id = patch.assigneeId;
    if (patch.closedAt !== undefined) row.closed_at = patch.closedAt;
    await this.db('alerts').where({ id }).update(row);
  }

  /** Keeps the alerts' copy of their event's visibility (and so who is told of them) in step. */
  async setVisibilityForEvent(eventId: number, visibility: Visibility, now = Date.now()): Promise<void> {
    await this.db('alerts').where({ event_id: eventId }).update({ visibility, updated_at: now });
  }

  async addHistory(h: Omit<AlertHistoryEntry, 'id'>): Promise<AlertHistoryEntry> {
    const id = await insertReturningId(this.db('alert_history'), {
      alert_id: h.alertId,
      from_state: h.fromState,
      to_state: h.toState,
      user_id: h.userId,
      note: h.note,
      at: h.at,
    });
    return { id, ...h };
  }

  async history(alertId: number): Promise<AlertHistoryEntry[]> {
    return (await this.db<HistoryRow>('alert_history').where({ alert_id: alertId }).orderBy('id')).map(toHistory);
  }

  async list(filter: AlertFilter, scope: AccessScope, page: Page<AlertSort>): Promise<{ items: AlertRecord[]; total: number }> {
    const base = this.db('alerts');
    this.applyFilter(base, filter);
    applyEventScope(base, scope, 'alerts');
    const [count] = await base.clone().clearSelect().clearOrder().count<{ n: number | string }[]>({ n: 'alerts.id' });
    const rows = (await base
      .select('alerts.*')
      .orderBy(ALERT_SORTS[page.sort], page.order)
      .orderBy('alerts.id', page.order)
      .limit(page.limit)
      .offset(page.offset)) as AlertRow[];
    return { items: rows.map(toAlert), total: Number(count?.n ?? 0) };
  }

  private applyFilter(q: Knex.QueryBuilder, f: AlertFilter): void {
    if (f.cameraId !== undefined) q.where('alerts.camera_id', f.cameraId);
    if (f.areaIds !== undefined) q.whereIn('alerts.area_id', f.areaIds);
    if (f.state !== undefined) q.where('alerts.state', f.state);
    if (f.kind !== undefined) q.where('alerts.kind', f.kind);
    if (f.severity !== undefined) q.where('alerts.severity', f.severity);
    if (f.visibility !== undefined) q.where('alerts.visibility', f.visibility);
    if (f.from !== undefined) q.where('alerts.created_at', '>=', f.from);
    if (f.to !== undefined) q.where('alerts.created_at', '<', f.to);
    if (f.label !== undefined || f.minScore !== undefined) {
      q.whereExists((sub) => {
        sub.select(this.db.raw('1')).from('events').whereRaw('events.id = alerts.event_id');
        if (f.label !== undefined) sub.where('events.label', f.label);
        if (f.minScore !== undefined) sub.where('events.score', '>=', f.minScore);
      });
    }
  }

  /** The catch-up cursor: alerts after `afterId` the scope may see, oldest first. */
  async since(afterId: number, scope: AccessScope, limit: number): Promise<AlertRecord[]> {
    const q = this.db('alerts').where('alerts.id', '>', afterId);
    applyEventScope(q, scope, 'alerts');
    return ((await q.select('alerts.*').orderBy('alerts.id').limit(limit)) as AlertRow[]).map(toAlert);
  }

  /** Alerts at or before `maxId` changed at or after `at` (state, share), for clients catching up; repeats are fine, misses are not. */
  async changedSince(at: number, maxId: number, scope: AccessScope, limit: number): Promise<AlertRecord[]> {
    const q = this.db('alerts').where('alerts.updated_at', '>=', at).where('alerts.id', '<=', maxId);
    applyEventScope(q, scope, 'alerts');
    return ((await q.select('alerts.*').orderBy('alerts.updated_at').limit(limit)) as AlertRow[]).map(toAlert);
  }

  /** An assignee must be an existing user (checked before the foreign key would fail). */
  async userExists(userId: number): Promise<boolean> {
    return (await this.db('users').where({ id: userId }).first('id')) !== undefined;
  }

  async maxId(): Promise<number> {
    const [row] = await this.db('alerts').max<{ m: number | null }[]>({ m: 'id' });
    return Number(row?.m ?? 0);
  }
}
