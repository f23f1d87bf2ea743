import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Repositories } from '../store/store.js';
import { checkWebhookUrl } from './notify.admin.js';
import { WebhookRefused, type WebhookHttp } from './webhook.http.js';
import { generateVapidKeys, type VapidKeys } from './webpush.channel.js';

/** The VAPID keys in <dataDir>/vapid.json (mode 0600), made on first start and kept: subscriptions are bound to them. */
export async function loadOrCreateVapidKeys(dataDir: string): Promise<VapidKeys> {
  const file = path.join(dataDir, 'vapid.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as VapidKeys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keys = generateVapidKeys();
  try {
    await writeFile(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return keys;
  } catch (err) {
    // Another start won the race: its keys are the ones.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(await readFile(file, 'utf8')) as VapidKeys;
    throw err;
  }
}

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A user's browsers subscribing and unsubscribing. The endpoint comes from the browser: checked like a webhook URL. */
export class PushSubscriptions {
  constructor(private readonly d: { repo: Pick<Repositories, 'notify'>; http: WebhookHttp; clock: Clock; publicKey: string }) {}

  get publicKey(): string {
    return this.d.publicKey;
  }

  async subscribe(userId: number, s: PushSubscriptionInput): Promise<{ id: number }> {
    const u = checkWebhookUrl(s.endpoint);
    try {
      await this.d.http.allowedAddress(u);
    } catch (err) {
      const reason = err instanceof WebhookRefused ? err.message : `host ${u.hostname} does not resolve`;
      throw new AppError('target_not_allowed', `body.endpoint: ${reason}`, 400, { field: 'body.endpoint', params: { reason } });
    }
    const saved = await this.d.repo.notify.savePushSubscription({ userId, endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth }, this.d.clock.now());
    return { id: saved.id };
  }

  async unsubscribe(userId: number, endpoint: string): Promise<void> {
    await this.d.repo.notify.removePushSubscription({ endpoint, userId });
  }
}
