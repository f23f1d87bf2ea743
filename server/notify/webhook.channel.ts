import type { ChannelHealth, NotificationRecord } from '../domain/notification.js';
import type { Clock } from '../shared/clock.js';
import type { Repositories } from '../store/store.js';
import type { NotifyChannel, SendResult } from './notify.channel.js';
import { WebhookRefused, type WebhookHttp } from './webhook.http.js';
import { signWebhook } from './webhook.sign.js';

export const endpointTarget = (id: number) => `endpoint:${id}`;
const endpointIdOf = (target: string) => Number(target.slice('endpoint:'.length));

/** The JSON body every endpoint receives: the notification as the outbox holds it. */
export function webhookBody(n: NotificationRecord): string {
  return JSON.stringify({
    key: n.key,
    kind: n.kind,
    at: n.at,
    cameraId: n.cameraId,
    areaId: n.areaId,
    severity: n.severity,
    label: n.label,
    payload: n.payload,
  });
}

/**
 * Signed webhooks to the endpoints an admin registered (issue 14 item 5). Each notification
 * is one POST; `X-BinhYen-Delivery` carries its key so a receiver de-duplicates a resend.
 */
export class WebhookChannel implements NotifyChannel {
  readonly name = 'webhook' as const;
  readonly groupsBursts = false;

  constructor(private readonly d: { repo: Pick<Repositories, 'notify'>; http: WebhookHttp; clock: Clock }) {}

  async targets(n: NotificationRecord): Promise<string[]> {
    const endpoints = await this.d.repo.notify.endpoints();
    return endpoints.filter((e) => e.enabled && (e.kinds.length === 0 || e.kinds.includes(n.kind))).map((e) => endpointTarget(e.id));
  }

  health(): ChannelHealth {
    return { channel: 'webhook', state: 'ok', detail: null };
  }

  async send(target: string, group: NotificationRecord[], signal: AbortSignal): Promise<SendResult> {
    const ep = await this.d.repo.notify.endpoint(endpointIdOf(target));
    if (!ep) return { ok: false, error: 'the endpoint was deleted', permanent: true };
    for (const n of group) {
      const r = await this.post(ep.url, ep.secret, n.kind, n.key, webhookBody(n), signal);
      if (!r.ok) return r;
    }
    return { ok: true, status: 200 };
  }

  /** One signed POST; also the admin's test-send. */
  async post(url: string, secret: string, kind: string, key: string, body: string, signal: AbortSignal): Promise<SendResult> {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'BinhYen-Webhook/1',
      'x-binhyen-event': kind,
      'x-binhyen-delivery': key,
      'x-binhyen-signature': signWebhook(secret, body, Math.floor(this.d.clock.now() / 1000)),
    };
    try {
      const r = await this.d.http.post(url, body, headers, signal);
      if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status };
      // 410 Gone: the receiver says it will never want this again.
      return { ok: false, status: r.status, error: `HTTP ${r.status}${r.bodyHead ? `: ${r.bodyHead.slice(0, 200)}` : ''}`, permanent: r.status === 410 };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: message, permanent: err instanceof WebhookRefused };
    }
  }
}
