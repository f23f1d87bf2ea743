import { en } from './en.js';
import { vi, type MessageKey } from './vi.js';

export type { MessageKey };
export type Lang = 'vi' | 'en';
export type Params = Record<string, unknown>;

const tables: Record<Lang, Record<MessageKey, string>> = { vi, en };

/** Displayed times: the commune's clock, whatever the browser's zone. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/**
 * Detector labels offered in filters and camera rules: the street's objects, motorbikes
 * first (the common vehicle here). Each has a `label.*` translation (the unit test checks).
 */
export const EVENT_LABELS = ['person', 'motorcycle', 'bicycle', 'car', 'bus', 'truck', 'dog', 'cat'] as const;

export const isMessageKey = (k: string): k is MessageKey => Object.prototype.hasOwnProperty.call(vi, k);

/** `{name}` placeholders filled from params; a missing param stays visible as `{name}` (a bug to see, not hide). */
export function fill(text: string, params: Params = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? whole : String(v);
  });
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return fill(tables[lang][key], params);
}

/** A key built at run time (a state, a label, a role): the fallback when the table has none. */
export function translateDynamic(lang: Lang, key: string, fallback: string, params?: Params): string {
  return isMessageKey(key) ? translate(lang, key, params) : fallback;
}

export interface ErrorLike {
  code: string;
  params?: Record<string, unknown>;
  field?: string;
}

/** The field at fault, as users know it: `body.areaId` → "Địa bàn". */
function fieldName(lang: Lang, field: string | undefined): string {
  if (!field) return '';
  const last =
    field
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? field;
  return translateDynamic(lang, `field.${last}`, last);
}

/**
 * Server errors are shown by their code (and params), never by their English message.
 * A variant `error.<code>.<params.reason>` wins when the table has it (probe failures say why).
 */
export function translateError(lang: Lang, err: ErrorLike): string {
  const params: Params = { ...err.params, field: fieldName(lang, err.field ?? (err.params?.field as string | undefined)) };
  const reason = typeof err.params?.reason === 'string' ? err.params.reason : undefined;
  if (reason && isMessageKey(`error.${err.code}.${reason}`)) return translate(lang, `error.${err.code}.${reason}` as MessageKey, params);
  if (isMessageKey(`error.${err.code}`)) return translate(lang, `error.${err.code}` as MessageKey, params);
  if (/^http_5\d\d$/.test(err.code)) return translate(lang, 'error.internal');
  return translate(lang, 'error.unknown', { code: err.code });
}

const pad = (n: number) => String(n).padStart(2, '0');
const partsCache = new Map<string, Intl.DateTimeFormat>();

function zoned(ms: number): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  let f = partsCache.get(TIME_ZONE);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(TIME_ZONE, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: p.year ?? '', mo: p.month ?? '', d: p.day ?? '', h: p.hour ?? '', mi: p.minute ?? '', s: p.second ?? '' };
}

/** dd/mm/yyyy HH:mm:ss, 24-hour, Asia/Ho_Chi_Minh, in both languages (as the commune writes dates). */
export function formatDateTime(ms: number, withSeconds = true): string {
  const z = zoned(ms);
  return `${z.d}/${z.mo}/${z.y} ${z.h}:${z.mi}${withSeconds ? `:${z.s}` : ''}`;
}
export function formatDate(ms: number): string {
  const z = zoned(ms);
  return `${z.d}/${z.mo}/${z.y}`;
}
export function formatTime(ms: number): string {
  const z = zoned(ms);
  return `${z.h}:${z.mi}:${z.s}`;
}

/** Vietnam has no daylight saving: local midnight is a fixed UTC+7 offset. */
export const VN_OFFSET_MS = 7 * 3_600_000;
/** Epoch ms of 00:00 Asia/Ho_Chi_Minh on the day containing `ms`. */
export function startOfLocalDay(ms: number): number {
  return Math.floor((ms + VN_OFFSET_MS) / 86_400_000) * 86_400_000 - VN_OFFSET_MS;
}
/** `yyyy-mm-dd` (for <input type=date>) of `ms` in Vietnam. */
export function isoLocalDate(ms: number): string {
  const z = zoned(ms);
  return `${z.y}-${z.mo}-${z.d}`;
}
/** `yyyy-mm-dd` (+ optional `HH:mm` or `HH:mm:ss`) read as Vietnam time → epoch ms; NaN when malformed. */
export function parseLocal(date: string, time = '00:00'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m || !t) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0)) - VN_OFFSET_MS;
}
/** `HH:mm` (or `HH:mm:ss`) of `ms` in Vietnam. */
export function localClock(ms: number, seconds = false): string {
  const z = zoned(ms);
  return `${z.h}:${z.mi}${seconds ? `:${z.s}` : ''}`;
}

/** First letter upper-case (a label at the start of a title: "người" → "Người"). */
export function capitalize(s: string): string {
  return s ? s[0]!.toLocaleUpperCase('vi') + s.slice(1) : s;
}

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '–' : `${Math.round(score * 100)}%`;
}

export function formatBytes(lang: Lang, bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: i ? 1 : 0 })} ${units[i]}`;
}

export { pad };
