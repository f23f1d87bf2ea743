import type { DeliveryState, NotificationChannel, NotificationDraft, NotificationKind, NotificationRecord } from '../domain/notification.js';
import type { Executor } from './db.js';
import { fromJson, toBool, toJson, toNumberOrNull } from './repository.util.js';

export interface DeliveryRecord {
  id: number;
  outboxId: number;
  channel: NotificationChannel;
  target: string;
  orderKey: string;
  state: DeliveryState;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  groupedInto: number | null;
  createdAt: number;
  doneAt: number | null;
}
/** A delivery with the notification it carries. */
export interface DueDelivery extends DeliveryRecord {
  notification: NotificationRecord;
}
export interface NewDelivery {
  channel: NotificationChannel;
  target: string;
  orderKey: string;
}
export interface AttemptRecord {
  id: number;
  deliveryId: number;
  at: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}
export interface DeliveryFilter {
  state?: DeliveryState;
  channel?: NotificationChannel;
  target?: string;
}

interface OutboxRow {
  id: number;
  key: string;
  kind: NotificationKind;
  camera_id: number | null;
  area_id: number | null;
  severity: string | null;
  label: string | null;
  visibility: 'internal' | 'shared';
  payload: string;
  at: number | string;
}
type DeliveryRow = {
  id: number;
  outbox_id: number;
  channel: NotificationChannel;
  target: string;
  order_key: string;
  state: DeliveryState;
  attempts: number;
  next_at: number | string;
  last_error: string | null;
  grouped_into: number | null;
  created_at: number | string;
  done_at: number | string | null;
};

const toNotification = (r: OutboxRow): NotificationRecord => ({
  id: r.id,
  key: r.key,
  kind: r.kind,
  cameraId: r.camera_id,
  areaId: r.area_id,
  severity: r.severity,
  label: r.label,
  visibility: r.visibility,
  payload: fromJson<Record<string, unknown>>(r.payload, {}),
  at: Number(r.at),
});
const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  outboxId: r.outbox_id,
  channel: r.channel,
  target: r.target,
  orderKey: r.order_key,
  state: r.state,
  attempts: r.attempts,
  nextAt: Number(r.next_at),
  lastError: r.last_error,
  groupedInto: r.grouped_into,
  createdAt: Number(r.created_at),
  doneAt: toNumberOrNull(r.done_at),
});

const DELIVERY_COLUMNS = [
  'id',
  'outbox_id',
  'channel',
  'target',
  'order_key',
  'state',
  'attempts',
  'next_at',
  'last_error',
  'grouped_into',
  'created_at',
  'done_at',
];
const OUTBOX_COLUMNS = ['key', 'kind', 'camera_id', 'area_id', 'severity', 'label', 'visibility', 'payload', 'at'];

/**
 * The notification outbox and its deliveries. Producers call `enqueue` on the repository bound
 * to their own transaction, so a notification exists exactly when the change that caused it does.
 */
export class OutboxRepository {
  constructor(private readonly db: Executor) {}

  /** Adds a notification; false when one with the same key exists (a replay adds nothing). */
  async enqueue(n: NotificationDraft): Promise<boolean> {
    const row = {
      key: n.key,
      kind: n.kind,
      camera_id: n.cameraId,
      area_id: n.areaId,
      severity: n.severity,
      label: n.label,
      visibility: n.visibility,
      payload: toJson(n.payload),
      at: n.at,
    };
    const out = await this.db('notify_outbox').insert(row).onConflict('key').ignore().returning('id');
    return out.length > 0;
  }

  async byKey(key: string): Promise<NotificationRecord | undefined> {
    const r = await this.db<OutboxRow>('notify_outbox').where({ key }).first();
    return r ? toNotification(r) : undefined;
  }

  /** Notifications not yet turned into deliveries, oldest first. */
  async unfanned(limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db<OutboxRow>('notify_outbox').whereNull('fanned_at').orderBy('id').limit(limit);
    return rows.map(toNotification);
  }

  /** The notification's deliveries and its fanned mark; run in one transaction, a repeat adds nothing. */
  async fanOut(outboxId: number, deliveries: NewDelivery[], now: number): Promise<void> {
    if (deliveries.length) {
      const rows = deliveries.map((d) => ({ outbox_id: outboxId, channel: d.channel, target: d.target, order_key: d.orderKey, next_at: now, created_at: now }));
      await this.db('notify_deliveries').insert(rows).onConflict(['outbox_id', 'channel', 'target']).ignore();
    }
    await this.db('notify_outbox').where({ id: outboxId }).update({ fanned_at: now });
  }

  /** The oldest pending delivery of each order key, when it is due: later ones wait behind it. */
  async dueHeads(now: number, limit: number): Promise<DueDelivery[]> {
    const heads = this.db('notify_deliveries').min('id').where({ state: 'pending' }).groupBy('order_key');
    const rows = await this.db('notify_deliveries as d')
      .join('notify_outbox as o', 'o.id', 'd.outbox_id')
      .whereIn('d.id', heads)
      .andWhere('d.next_at', '<=', now)
      .orderBy('d.id')
      .limit(limit)
      .select([...DELIVERY_COLUMNS.map((c) => `d.${c}`), ...OUTBOX_COLUMNS.map((c) => `o.${c}`)]);
    return (rows as (DeliveryRow & OutboxRow)[]).map(joined);
  }

  /** Pending deliveries queued right behind `head` in its order key (for burst grouping). */
  async followers(head: DeliveryRecord, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db('notify_deliveries as d')
      .join('notify_outbox as o', 'o.id', 'd.outbox_id')
      .where({ 'd.state': 'pending', 'd.order_key': head.orderKey })
      .andWhere('d.id', '>', head.id)
      .orderBy('d.id')
      .limit(limit)
      .select([...DELIVERY_COLUMNS.map((c) => `d.${c}`), ...OUTBOX_COLUMNS.map((c) => `o.${c}`)]);
    return (rows as (DeliveryRow & OutboxRow)[]).map(joined);
  }

  /** Delivered: the head, and the deliveries it carried as one grouped message. */
  async markDelivered(id: number, now: number, carried: number[] = []): Promise<void> {
    await this.db('notify_deliveries').where({ id }).update({ state: 'delivered', done_at: now, last_error: null });
    if (carried.length) await this.db('notify_deliveries').whereIn('id', carried).update({ state: 'grouped', grouped_into: id, done_at: now });
  }

  async markFailed(id: number, attempts: number, nextAt: number, error: string, dead: boolean, now: number): Promise<void> {
    await this.db('notify_deliveries')
      .where({ id })
      .update({ attempts, next_at: nextAt, last_error: error.slice(0, 1000), state: dead ? 'dead' : 'pending', done_at: dead ? now : null });
  }

  /** A dead letter back into the queue (the admin's retry button); false when it is not dead. */
  async retry(id: number, now: number): Promise<boolean> {
    const n = await this.db('notify_deliveries').where({ id, state: 'dead' }).update({ state: 'pending', attempts: 0, next_at: now, done_at: null });
    return Number(n) > 0;
  }

  async addAttempt(a: Omit<AttemptRecord, 'id'>): Promise<void> {
    await this.db('notify_attempts').insert({
      delivery_id: a.deliveryId,
      at: a.at,
      ok: a.ok,
      status: a.status,
      error: a.error?.slice(0, 1000) ?? null,
      duration_ms: a.durationMs,
    });
  }

  async attempts(filter: { deliveryIds?: number[]; target?: string }, limit: number): Promise<(AttemptRecord & { kind: NotificationKind; key: string })[]> {
    const q = this.db('notify_attempts as a')
      .join('notify_deliveries as d', 'd.id', 'a.delivery_id')
      .join('notify_outbox as o', 'o.id', 'd.outbox_id')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .select('a.*', 'o.kind', 'o.key');
    if (filter.deliveryIds) q.whereIn('a.delivery_id', filter.deliveryIds);
    if (filter.target) q.where('d.target', filter.target);
    const rows = (await q) as {
      id: number;
      delivery_id: number;
      at: number | string;
      ok: unknown;
      status: number | null;
      error: string | null;
      duration_ms: number;
      kind: NotificationKind;
      key: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      deliveryId: r.delivery_id,
      at: Number(r.at),
      ok: toBool(r.ok),
      status: r.status,
      error: r.error,
      durationMs: r.duration_ms,
      kind: r.kind,
      key: r.key,
    }));
  }

  async deliveries(filter: DeliveryFilter, limit: number, offset = 0): Promise<DueDelivery[]> {
    const q = this.db('notify_deliveries as d')
      .join('notify_outbox as o', 'o.id', 'd.outbox_id')
      .orderBy('d.id', 'desc')
      .limit(limit)
      .offset(offset)
      .select([...DELIVERY_COLUMNS.map((c) => `d.${c}`), ...OUTBOX_COLUMNS.map((c) => `o.${c}`)]);
    if (filter.state) q.where('d.state', filter.state);
    if (filter.channel) q.where('d.channel', filter.channel);
    if (filter.target) q.where('d.target', filter.target);
    return ((await q) as (DeliveryRow & OutboxRow)[]).map(joined);
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = (await this.db('notify_deliveries').select('channel', 'state').count({ n: '*' }).groupBy('channel', 'state')) as {
      channel: string;
      state: string;
      n: number | string;
    }[];
    return Object.fromEntries(rows.map((r) => [`${r.channel}.${r.state}`, Number(r.n)]));
  }

  /** Retention: finished notifications older than `before` go with their deliveries and attempts. */
  async prune(before: number): Promise<number> {
    const busy = this.db('notify_deliveries').select('outbox_id').whereIn('state', ['pending', 'dead']);
    return Number(await this.db('notify_outbox').whereNotNull('fanned_at').andWhere('at', '<', before).whereNotIn('id', busy).delete());
  }
}

function joined(r: DeliveryRow & OutboxRow): DueDelivery {
  const d = toDelivery(r);
  return { ...d, notification: toNotification({ ...r, id: r.outbox_id }) };
}
