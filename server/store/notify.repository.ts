import type { NotificationKind, NotifyRules } from '../domain/notification.js';
import type { Executor } from './db.js';
import { fromJson, insertReturningId, toBool, toJson, toNumberOrNull } from './repository.util.js';

export interface WebhookEndpoint {
  id: number;
  name: string;
  url: string;
  /** HMAC key; shown to the admin once, at creation. */
  secret: string;
  /** Empty: every kind. */
  kinds: NotificationKind[];
  enabled: boolean;
  createdBy: number | null;
  createdAt: number;
}
export type NewWebhookEndpoint = Omit<WebhookEndpoint, 'id' | 'createdAt'>;

interface EndpointRow {
  id: number;
  name: string;
  url: string;
  secret: string;
  kinds: string;
  enabled: unknown;
  created_by: number | null;
  created_at: number | string;
}
const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  name: r.name,
  url: r.url,
  secret: r.secret,
  kinds: fromJson<NotificationKind[]>(r.kinds, []),
  enabled: toBool(r.enabled),
  createdBy: toNumberOrNull(r.created_by),
  createdAt: Number(r.created_at),
});

export interface PushSubscriptionRecord {
  id: number;
  userId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  createdAt: number;
}
interface PushRow {
  id: number;
  user_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number | string;
}
const toPush = (r: PushRow): PushSubscriptionRecord => ({
  id: r.id,
  userId: r.user_id,
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
  createdAt: Number(r.created_at),
});

/** Webhook endpoints, each user's notification rules and their Web Push subscriptions. */
export class NotifyRepository {
  constructor(private readonly db: Executor) {}

  async createEndpoint(e: NewWebhookEndpoint, now: number): Promise<WebhookEndpoint> {
    const id = await insertReturningId(this.db('notify_endpoints'), {
      name: e.name,
      url: e.url,
      secret: e.secret,
      kinds: toJson(e.kinds),
      enabled: e.enabled,
      created_by: e.createdBy,
      created_at: now,
    });
    return (await this.endpoint(id))!;
  }

  async endpoint(id: number): Promise<WebhookEndpoint | undefined> {
    const r = await this.db<EndpointRow>('notify_endpoints').where({ id }).whereNull('deleted_at').first();
    return r ? toEndpoint(r) : undefined;
  }

  async endpoints(): Promise<WebhookEndpoint[]> {
    return (await this.db<EndpointRow>('notify_endpoints').whereNull('deleted_at').orderBy('id')).map(toEndpoint);
  }

  async updateEndpoint(id: number, patch: Partial<Pick<WebhookEndpoint, 'name' | 'url' | 'kinds' | 'enabled'>>): Promise<boolean> {
    const row: Record<string, unknown> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.url !== undefined) row.url = patch.url;
    if (patch.kinds !== undefined) row.kinds = toJson(patch.kinds);
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (!Object.keys(row).length) return (await this.endpoint(id)) !== undefined;
    return Number(await this.db('notify_endpoints').where({ id }).whereNull('deleted_at').update(row)) > 0;
  }

  /** Soft delete: the delivery log keeps naming it. */
  async deleteEndpoint(id: number, now: number): Promise<boolean> {
    return Number(await this.db('notify_endpoints').where({ id }).whereNull('deleted_at').update({ deleted_at: now, enabled: false })) > 0;
  }

  async rules(userId: number): Promise<NotifyRules | undefined> {
    const r = (await this.db('notify_rules').where({ user_id: userId }).first()) as { rules: string } | undefined;
    return r ? fromJson<NotifyRules | undefined>(r.rules, undefined) : undefined;
  }

  async setRules(userId: number, rules: NotifyRules, now: number): Promise<void> {
    await this.db('notify_rules')
      .insert({ user_id: userId, rules: toJson(rules), updated_at: now })
      .onConflict('user_id')
      .merge();
  }

  /** A browser subscribing again (same endpoint) moves the subscription to the user now signed in. */
  async savePushSubscription(s: Omit<PushSubscriptionRecord, 'id' | 'createdAt'>, now: number): Promise<PushSubscriptionRecord> {
    await this.db('notify_push_subscriptions')
      .insert({ user_id: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth, created_at: now })
      .onConflict('endpoint')
      .merge(['user_id', 'p256dh', 'auth']);
    return toPush((await this.db<PushRow>('notify_push_subscriptions').where({ endpoint: s.endpoint }).first())!);
  }

  async pushSubscription(id: number): Promise<PushSubscriptionRecord | undefined> {
    const r = await this.db<PushRow>('notify_push_subscriptions').where({ id }).first();
    return r ? toPush(r) : undefined;
  }

  async pushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    return (await this.db<PushRow>('notify_push_subscriptions').orderBy('id')).map(toPush);
  }

  async removePushSubscription(where: { id: number } | { endpoint: string; userId: number }): Promise<boolean> {
    const q = 'id' in where ? { id: where.id } : { endpoint: where.endpoint, user_id: where.userId };
    return Number(await this.db('notify_push_subscriptions').where(q).delete()) > 0;
  }
}
