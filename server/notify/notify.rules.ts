import { z } from 'zod';
import type { Role } from '../domain/access.js';
import { NOTIFICATION_KINDS, NOTIFY_SEVERITIES, type NotificationRecord, type NotifyRules } from '../domain/notification.js';
import type { Clock } from '../shared/clock.js';
import type { Repositories } from '../store/store.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
export const notifyRulesSchema = z
  .object({
    channels: z.array(z.enum(['webpush', 'zalo'])).max(2),
    kinds: z.array(z.enum(NOTIFICATION_KINDS)).max(NOTIFICATION_KINDS.length),
    areaIds: z.array(z.number().int().positive()).max(200),
    cameraIds: z.array(z.number().int().positive()).max(500),
    labels: z.array(z.string().trim().min(1).max(40)).max(50),
    minSeverity: z.enum(NOTIFY_SEVERITIES),
    quietHours: z.object({ from: hhmm, to: hhmm }).strict().nullable(),
    zaloUserId: z
      .string()
      .regex(/^\d{5,30}$/, 'must be the digits of a Zalo user id')
      .nullable()
      .optional(),
  })
  .strict();

/**
 * What a user gets before choosing (issue 14 item 2): police and admins every alert and
 * camera change on every person channel; technicians the cameras going offline and back;
 * residents only the feedback on their reports and their areas' announcements.
 */
export function defaultRules(roles: readonly Role[], areaIds: number[]): NotifyRules {
  const base = { cameraIds: [], labels: [], minSeverity: 'low' as const, quietHours: null };
  if (roles.includes('admin') || roles.includes('police')) return { ...base, channels: ['webpush', 'zalo'], kinds: [...NOTIFICATION_KINDS], areaIds: [] };
  if (roles.includes('technician')) return { ...base, channels: ['webpush'], kinds: ['camera.offline', 'camera.online'], areaIds: [] };
  return { ...base, channels: ['webpush'], kinds: ['report.updated', 'announcement'], areaIds };
}

const rank = (s: string | null) => Math.max(0, NOTIFY_SEVERITIES.indexOf((s ?? 'low') as (typeof NOTIFY_SEVERITIES)[number]));

/** Minutes since local midnight in the time zone. */
function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

export function inQuietHours(q: NotifyRules['quietHours'], at: number, timeZone: string): boolean {
  if (!q) return false;
  const m = localMinutes(at, timeZone);
  const [from, to] = [q.from, q.to].map((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));
  return from! <= to! ? m >= from! && m < to! : m >= from! || m < to!;
}

/** A notification addressed to some people only (a report's feedback goes to its reporter) reaches no one else. */
export function addressedTo(n: NotificationRecord, userId: number): boolean {
  const to = n.payload.recipients;
  return !Array.isArray(to) || to.includes(userId);
}

/** The areas a notification concerns: its own, or all it reaches (an announcement reaches the areas under it). */
const reachOf = (n: NotificationRecord): unknown[] => (Array.isArray(n.payload.areaIds) ? n.payload.areaIds : n.areaId === null ? [] : [n.areaId]);

/** Whether a notification reaches a user by their rules. Quiet hours hold back all below high severity. */
export function ruleMatches(r: NotifyRules, n: NotificationRecord, timeZone: string): boolean {
  if (r.kinds.length && !r.kinds.includes(n.kind)) return false;
  if (r.areaIds.length && !reachOf(n).some((a) => r.areaIds.includes(a as number))) return false;
  if (r.cameraIds.length && (n.cameraId === null || !r.cameraIds.includes(n.cameraId))) return false;
  if (r.labels.length && n.label !== null && !r.labels.includes(n.label)) return false;
  if (rank(n.severity) < rank(r.minSeverity)) return false;
  return !(inQuietHours(r.quietHours, n.at, timeZone) && rank(n.severity) < rank('high'));
}

interface Who {
  userId?: number;
  roles: Role[];
  areaIds: number[];
}

/** Each user's own rules: read (defaults until saved) and saved after validation. */
export class NotifyRulesService {
  constructor(private readonly d: { repo: Pick<Repositories, 'notify'>; clock: Clock }) {}

  async rulesOf(p: Who): Promise<NotifyRules & { saved: boolean }> {
    const saved = p.userId === undefined ? undefined : await this.d.repo.notify.rules(p.userId);
    return { ...(saved ?? defaultRules(p.roles, p.areaIds)), saved: saved !== undefined };
  }

  /** `rules` already validated against notifyRulesSchema (the route does it, naming the field). */
  async save(p: Who, rules: NotifyRules): Promise<NotifyRules & { saved: boolean }> {
    // Residents hear only about their own areas, whatever they ask for.
    // (an empty list would mean "every area", so it becomes theirs).
    if (p.roles.every((r) => r === 'resident')) {
      const own = rules.areaIds.filter((a) => p.areaIds.includes(a));
      rules.areaIds = own.length ? own : [...p.areaIds];
    }
    await this.d.repo.notify.setRules(p.userId!, rules, this.d.clock.now());
    return { ...rules, saved: true };
  }
}
