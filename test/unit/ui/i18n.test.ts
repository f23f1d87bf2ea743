import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_ERROR_CODES } from '../../../server/cameras/camera.errors.js';
import { ROLES } from '../../../server/auth/authorize.js';
import { OWNER_KINDS } from '../../../server/domain/camera.settings.js';
import { DEFAULT_EVENT_LABELS } from '../../../server/domain/camera.settings.rules.js';
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATES } from '../../../server/store/alert.repository.js';
import { AREA_KINDS } from '../../../server/store/area.repository.js';
import { PROJECT_ROOT } from '../../../server/version.js';
import { en } from '../../../ui/src/i18n/en.js';
import { EVENT_LABELS, formatDate, formatDateTime, isMessageKey, parseLocal, startOfLocalDay, translate, translateError } from '../../../ui/src/i18n/i18n.js';
import { vi, type MessageKey } from '../../../ui/src/i18n/vi.js';

const keys = Object.keys(vi) as MessageKey[];
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function serverFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? serverFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Every error code the server can send: `new AppError('code'…` (both branches of a ternary),
 * the user service's `invalid(field, 'code'…`, the probe codes, the error middleware's codes
 * and socket refusals (`error: { code: '…' }`).
 */
function serverErrorCodes(): Set<string> {
  const codes = new Set<string>(PROBE_ERROR_CODES);
  const patterns = [
    /new AppError\(\s*'([a-z0-9_]+)'/g,
    /new AppError\(\s*[^,'()]*\?\s*'([a-z0-9_]+)'\s*:\s*'([a-z0-9_]+)'/g,
    /\binvalid\(\s*'[^']*',\s*'([a-z0-9_]+)'/g,
    /error:\s*\{\s*code:\s*'([a-z0-9_]+)'/g,
    /refusal\(\s*'([a-z0-9_]+)'/g,
  ];
  for (const file of serverFiles(path.join(PROJECT_ROOT, 'server'))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) for (const c of m.slice(1)) if (c) codes.add(c);
  }
  const mw = readFileSync(path.join(PROJECT_ROOT, 'server/api/error.middleware.ts'), 'utf8');
  for (const m of mw.matchAll(/\?\s*'([a-z_]+)'|:\s*'([a-z_]+)'\s*;/g)) for (const c of m.slice(1)) if (c) codes.add(c);
  return codes;
}

describe('UI strings', () => {
  it('has every key in both languages, non-empty, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(vi[k].trim(), k).not.toBe('');
      expect(en[k].trim(), k).not.toBe('');
      expect(placeholders(en[k]), k).toEqual(placeholders(vi[k]));
    }
  });

  it('writes Vietnamese with its diacritics (every unaccented word is a known one)', () => {
    // Vietnamese words spelled without marks, and technical words kept as they are.
    const known = new Set(
      (
        'ai an cao chi chia cho danh di do dung ghi ghim gian giao hai in khai khi khu khung kinh lai minh nam nay ngang nhau ninh qua quay ' +
        'neo quy ra sai sang sau so tay thao thay theo tin tra trang trong truy vai xe xem xong cn che thu to tua ' +
        'backspace binhyen build camera code cpu dahua delete enter esc fe ffmpeg help hikvision http https internet ip ipv kbvision link local loopback npm onvif rtsp ' +
        'rtsps run setup thanh txt utf video vpn vui web heic iphone jpg png nghi quan ngay phong trung csv tham gia mqtt webhook zalo http ms sao khen nhanh home ptz doanh cellmotiondetector tamper linedetector'
      ).split(' '),
    );
    const unknown = keys.flatMap((k) =>
      vi[k]
        .replace(/\{\w+\}/g, ' ')
        .split(/[^A-Za-zÀ-ỹĐđ]+/)
        .filter((w) => w.length > 1 && /^[a-z]+$/i.test(w) && !known.has(w.toLowerCase()))
        .map((w) => `${k}: ${w}`),
    );
    expect(unknown).toEqual([]);
  });

  it('translates every error code the server can return, in both languages', () => {
    const codes = serverErrorCodes();
    expect(codes.size).toBeGreaterThan(40);
    const missing = [...codes].filter((c) => !isMessageKey(`error.${c}`)).sort();
    expect(missing).toEqual([]);
  });

  it('names every state, role, area kind, owner kind, severity and label the UI shows', () => {
    const groups: [string, readonly string[]][] = [
      ['alertState', ALERT_STATES],
      ['alertKind', ALERT_KINDS],
      ['severity', ALERT_SEVERITIES],
      ['role', ROLES],
      ['areaKind', AREA_KINDS],
      ['ownerKind', OWNER_KINDS],
      ['display', ['online', 'interrupted', 'offline']],
      ['label', [...new Set([...DEFAULT_EVENT_LABELS, ...EVENT_LABELS])]],
    ];
    const missing = groups.flatMap(([g, values]) => values.map((v) => `${g}.${v}`)).filter((k) => !isMessageKey(k));
    expect(missing).toEqual([]);
    expect(translate('vi', 'label.motorcycle')).toBe('xe máy');
    expect(translate('vi', 'display.interrupted')).toBe('gián đoạn');
  });
});

describe('translateError', () => {
  it('uses the code and params, never the server message', () => {
    expect(translateError('vi', { code: 'rate_limited', params: { retryAfterSeconds: 42 } })).toBe('Sai quá nhiều lần. Thử lại sau 42 giây.');
    expect(translateError('en', { code: 'rate_limited', params: { retryAfterSeconds: 42 } })).toBe('Too many failed attempts. Try again in 42 seconds.');
  });

  it('prefers the variant for params.reason (why a camera could not be reached)', () => {
    expect(translateError('vi', { code: 'unreachable', params: { reason: 'refused', where: '192.168.1.64:80' } })).toMatch(
      /^Camera 192\.168\.1\.64:80 từ chối kết nối/,
    );
    expect(translateError('vi', { code: 'unreachable', params: { reason: 'something_new', where: 'x' } })).toBe('Không kết nối được tới camera x.');
  });

  it("names the field at fault in the user's words", () => {
    expect(translateError('vi', { code: 'validation', field: 'body.latitude', params: { reason: 'must be between -90 and 90' } })).toBe(
      'Giá trị ở ô “Vĩ độ” không hợp lệ.',
    );
    expect(translateError('en', { code: 'validation', field: 'body.streams.detect.url' })).toBe('The value in “Stream address” is not valid.');
  });

  it('falls back to a generic sentence with the code for an unknown code', () => {
    expect(translateError('vi', { code: 'brand_new_code' })).toBe('Có lỗi xảy ra (mã brand_new_code).');
    expect(translateError('vi', { code: 'http_502' })).toBe('Lỗi máy chủ. Vui lòng thử lại.');
  });
});

describe('dates', () => {
  it('shows dd/mm/yyyy 24-hour time in Asia/Ho_Chi_Minh whatever the machine zone', () => {
    const ms = Date.UTC(2025, 0, 1, 17, 30, 5); // 00:30:05 on 2 January in Vietnam
    expect(formatDateTime(ms)).toBe('02/01/2025 00:30:05');
    expect(formatDateTime(ms, false)).toBe('02/01/2025 00:30');
    expect(formatDate(Date.UTC(2025, 5, 30, 16, 59))).toBe('30/06/2025');
  });

  it('reads local dates and finds local midnight (UTC+7, no daylight saving)', () => {
    expect(parseLocal('2025-01-02', '00:30')).toBe(Date.UTC(2025, 0, 1, 17, 30));
    expect(parseLocal('2025-01-02', '00:30:15')).toBe(Date.UTC(2025, 0, 1, 17, 30, 15));
    expect(Number.isNaN(parseLocal('02/01/2025'))).toBe(true);
    expect(startOfLocalDay(Date.UTC(2025, 0, 1, 17, 30))).toBe(Date.UTC(2025, 0, 1, 17, 0));
  });
});
