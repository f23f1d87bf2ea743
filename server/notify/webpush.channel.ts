import webpush from 'web-push';
import type { ChannelHealth, NotificationRecord } from '../domain/notification.js';
import type { Repositories } from '../store/store.js';
import type { NotifyChannel, SendResult } from './notify.channel.js';
import { personMessage } from './notify.message.js';
import { addressedTo, defaultRules, ruleMatches } from './notify.rules.js';
import { WebhookRefused, type WebhookHttp } from './webhook.http.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface WebPushChannelDeps {
  repo: Pick<Repositories, 'notify' | 'users'>;
  vapid: VapidKeys;
  /** mailto: or https: contact the push services may use (VAPID "sub"). */
  subject: string;
  timeZone: string;
  http: WebhookHttp;
}

const subscriptionIdOf = (target: string) => Number(target.slice('push:'.length));

/**
 * Web Push to the phones and desktops people subscribed (issue 14 item 3), by their rules;
 * a burst from one camera is one notification with a count. A push service answering 404 or
 * 410 says the subscription is gone: it is removed and the delivery ends.
 */
export class WebPushChannel implements NotifyChannel {
  readonly name = 'webpush' as const;
  readonly groupsBursts = true;

  constructor(private readonly d: WebPushChannelDeps) {}

  health(): ChannelHealth {
    return { channel: 'webpush', state: 'ok', detail: null };
  }

  async targets(n: NotificationRecord): Promise<string[]> {
    const subs = await this.d.repo.notify.pushSubscriptions();
    if (!subs.length) return [];
    const users = new Map((await this.d.repo.users.list()).map((u) => [u.id, u]));
    const out: string[] = [];
    for (const s of subs) {
      const u = users.get(s.userId);
      if (!u || u.disabled) continue;
      // Residents never hear of what the police did not share.
      const seesInternal = u.roles.some((r) => r !== 'resident');
      if ((!seesInternal && n.visibility !== 'shared') || !addressedTo(n, u.id)) continue;
      const rules = (await this.d.repo.notify.rules(u.id)) ?? defaultRules(u.roles, u.areaIds);
      if (rules.channels.includes('webpush') && ruleMatches(rules, n, this.d.timeZone)) out.push(`push:${s.id}`);
    }
    return out;
  }

  /**
   * web-push encrypts and signs (aes128gcm, VAPID); our HTTP port sends, so the push service's
   * address is checked like a webhook's, the attempt is abortable and the answer capped.
   */
  async send(target: string, group: NotificationRecord[], signal: AbortSignal): Promise<SendResult> {
    const sub = await this.d.repo.notify.pushSubscription(subscriptionIdOf(target));
    if (!sub) return { ok: false, error: 'the subscription was removed', permanent: true };
    const payload = JSON.stringify(personMessage(group));
    const req = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
      vapidDetails: { subject: this.d.subject, publicKey: this.d.vapid.publicKey, privateKey: this.d.vapid.privateKey },
      TTL: 3600,
      urgency: 'high',
    });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    try {
      const r = await this.d.http.post(req.endpoint, req.body ?? Buffer.alloc(0), headers, signal);
      if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status };
      if (r.status === 404 || r.status === 410) {
        await this.d.repo.notify.removePushSubscription({ id: sub.id });
        return { ok: false, status: r.status, error: `the push service says the subscription is gone (HTTP ${r.status})`, permanent: true };
      }
      return { ok: false, status: r.status, error: `push service answered HTTP ${r.status}` };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), permanent: err instanceof WebhookRefused };
    }
  }
}

/** New VAPID keys (the server's identity towards push services). */
export const generateVapidKeys = (): VapidKeys => webpush.generateVAPIDKeys();
