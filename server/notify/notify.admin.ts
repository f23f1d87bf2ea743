import type { ChannelHealth, NotificationKind, NotificationRecord } from '../domain/notification.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import type { WebhookEndpoint } from '../store/notify.repository.js';
import type { Repositories } from '../store/store.js';
import type { SendResult } from './notify.channel.js';
import { endpointTarget, webhookBody, type WebhookChannel } from './webhook.channel.js';
import { WebhookRefused, type WebhookHttp } from './webhook.http.js';
import { newWebhookSecret } from './webhook.sign.js';

/** An endpoint as admins see it after creation: never the secret. */
export type EndpointView = Omit<WebhookEndpoint, 'secret'>;
const view = ({ secret: _secret, ...rest }: WebhookEndpoint): EndpointView => rest;

export interface EndpointInput {
  name: string;
  url: string;
  kinds?: NotificationKind[];
  enabled?: boolean;
}

const badUrl = (reason: string) => new AppError('invalid_webhook_url', `body.url: ${reason}`, 400, { field: 'body.url', params: { reason } });

/** A URL an endpoint may have: http(s), a host, no credentials (the signature is the credential). */
export function checkWebhookUrl(text: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw badUrl('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badUrl(`must be http:// or https://, not ${u.protocol}//`);
  if (!u.hostname) throw badUrl('has no host');
  if (u.username || u.password) throw badUrl('must not carry a user name or password (requests are signed instead)');
  if (u.hash) throw badUrl('must not have a #fragment');
  return u;
}

export interface NotifyAdminDeps {
  repo: Pick<Repositories, 'notify' | 'outbox'>;
  webhooks: WebhookChannel;
  http: WebhookHttp;
  clock: Clock;
  health: () => ChannelHealth[];
  /** Wake the workers (a retried dead letter goes now). */
  kick: () => void;
  sendTimeoutMs: number;
}

/** What the admin's Notifications page does: channels, webhook endpoints, the delivery log and dead letters. */
export class NotifyAdmin {
  constructor(private readonly d: NotifyAdminDeps) {}

  async channels() {
    return { channels: this.d.health(), deliveries: await this.d.repo.outbox.countByState() };
  }

  async endpoints(): Promise<EndpointView[]> {
    return (await this.d.repo.notify.endpoints()).map(view);
  }

  /** The secret is in this answer only. */
  async createEndpoint(input: EndpointInput, userId: number | null): Promise<{ endpoint: EndpointView; secret: string }> {
    await this.checkReachable(input.url);
    const secret = newWebhookSecret();
    const ep = await this.d.repo.notify.createEndpoint(
      { name: input.name, url: input.url, secret, kinds: input.kinds ?? [], enabled: input.enabled ?? true, createdBy: userId },
      this.d.clock.now(),
    );
    return { endpoint: view(ep), secret };
  }

  async updateEndpoint(id: number, patch: Partial<EndpointInput>): Promise<EndpointView> {
    if (patch.url !== undefined) await this.checkReachable(patch.url);
    if (!(await this.d.repo.notify.updateEndpoint(id, patch))) throw notFound('webhook endpoint', id);
    return view((await this.d.repo.notify.endpoint(id))!);
  }

  async deleteEndpoint(id: number): Promise<void> {
    if (!(await this.d.repo.notify.deleteEndpoint(id, this.d.clock.now()))) throw notFound('webhook endpoint', id);
  }

  /** Sends a signed test notification now and answers what the endpoint said (not queued, not retried). */
  async testEndpoint(id: number): Promise<SendResult & { durationMs: number }> {
    const ep = await this.d.repo.notify.endpoint(id);
    if (!ep) throw notFound('webhook endpoint', id);
    const at = this.d.clock.now();
    const n: NotificationRecord = {
      id: 0,
      key: `test:${id}:${at}`,
      kind: 'announcement',
      cameraId: null,
      areaId: null,
      severity: null,
      label: null,
      visibility: 'internal',
      payload: { test: true, message: 'BinhYen webhook test' },
      at,
    };
    const r = await this.d.webhooks.post(ep.url, ep.secret, n.kind, n.key, webhookBody(n), AbortSignal.timeout(this.d.sendTimeoutMs));
    return { ...r, durationMs: this.d.clock.now() - at };
  }

  async endpointLog(id: number, limit: number) {
    if (!(await this.d.repo.notify.endpoint(id))) throw notFound('webhook endpoint', id);
    return this.d.repo.outbox.attempts({ target: endpointTarget(id) }, limit);
  }

  async deadLetters(limit: number, offset: number) {
    return this.d.repo.outbox.deliveries({ state: 'dead' }, limit, offset);
  }

  async retry(deliveryId: number): Promise<void> {
    if (!(await this.d.repo.outbox.retry(deliveryId, this.d.clock.now())))
      throw new AppError('not_dead_letter', `delivery ${deliveryId} is not a dead letter`, 409, { params: { id: deliveryId } });
    this.d.kick();
  }

  /** Refuses a URL that is malformed or whose host is in a denied range now (each send checks again). */
  private async checkReachable(url: string): Promise<void> {
    const u = checkWebhookUrl(url);
    try {
      await this.d.http.allowedAddress(u);
    } catch (err) {
      if (err instanceof WebhookRefused)
        throw new AppError('target_not_allowed', `body.url: ${err.message}`, 400, { field: 'body.url', params: { reason: err.message } });
      throw badUrl(`host ${u.hostname} does not resolve`);
    }
  }
}
