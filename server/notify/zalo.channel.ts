import type { ZaloConfig } from '../config/config.schema.js';
import type { ChannelHealth, NotificationRecord } from '../domain/notification.js';
import type { Repositories } from '../store/store.js';
import type { NotifyChannel, SendResult } from './notify.channel.js';
import { personMessage } from './notify.message.js';
import { addressedTo, defaultRules, ruleMatches } from './notify.rules.js';
import { WebhookRefused, type WebhookHttp } from './webhook.http.js';

/** Zalo OA error codes that retrying cannot fix: bad token, user not following, user blocked the OA. */
const PERMANENT = new Set([-216, -213, -201, -230]);

/**
 * The Zalo Official Account adapter (issue 14 item 6): a consultation message (text, in
 * Vietnamese, with the link to open) to each user who linked their Zalo id and whose rules take
 * Zalo; a burst is one message with a count. Zalo answers HTTP 200 with `error` ≠ 0 on failure.
 */
export class ZaloChannel implements NotifyChannel {
  readonly name = 'zalo' as const;
  readonly groupsBursts = true;

  constructor(
    private readonly d: { config: ZaloConfig & { accessToken: string }; repo: Pick<Repositories, 'notify' | 'users'>; http: WebhookHttp; timeZone: string },
  ) {}

  health(): ChannelHealth {
    return { channel: 'zalo', state: 'ok', detail: null };
  }

  async targets(n: NotificationRecord): Promise<string[]> {
    const out: string[] = [];
    for (const u of await this.d.repo.users.list()) {
      if (u.disabled || (!u.roles.some((r) => r !== 'resident') && n.visibility !== 'shared') || !addressedTo(n, u.id)) continue;
      const rules = (await this.d.repo.notify.rules(u.id)) ?? defaultRules(u.roles, u.areaIds);
      if (rules.zaloUserId && rules.channels.includes('zalo') && ruleMatches(rules, n, this.d.timeZone)) out.push(`zalo:${rules.zaloUserId}`);
    }
    return out;
  }

  async send(target: string, group: NotificationRecord[], signal: AbortSignal): Promise<SendResult> {
    const m = personMessage(group);
    const text = `${m.title}\n${m.body}\n${new URL(m.url, this.d.config.linkBase).href}`;
    const body = JSON.stringify({ recipient: { user_id: target.slice('zalo:'.length) }, message: { text } });
    try {
      const r = await this.d.http.post(this.d.config.apiUrl, body, { 'content-type': 'application/json', access_token: this.d.config.accessToken }, signal);
      if (r.status < 200 || r.status >= 300) return { ok: false, status: r.status, error: `Zalo answered HTTP ${r.status}` };
      const answer = JSON.parse(r.bodyHead || '{}') as { error?: number; message?: string };
      if (!answer.error) return { ok: true, status: r.status };
      return { ok: false, status: r.status, error: `Zalo error ${answer.error}: ${answer.message ?? ''}`, permanent: PERMANENT.has(answer.error) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), permanent: err instanceof WebhookRefused };
    }
  }
}
