import { isUtf8 } from 'node:buffer';
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { ACCESS_MATRIX } from './access.matrix.js';
import type { AuditAggregator } from './audit.aggregate.js';
import type { AuditLog } from './audit.log.js';
import { anonymousPrincipal, auditDetailOf, authorizedOf, principalOf, setPrincipal } from './authorize.js';
import { clearedSessionCookie, sessionTokenFrom } from './session.cookie.js';
import type { Clock, SessionService } from './session.service.js';

/** The CSP the UI runs under: own scripts only, no inline script, no framing, sockets to ourselves. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), payment=(), usb=(), geolocation=(self)',
    });
    if (req.secure) res.set('Strict-Transport-Security', 'max-age=15552000');
    // API answers hold footage metadata and personal data: never cached (routes may override).
    if (req.path.startsWith('/api/')) res.set('Cache-Control', 'no-store');
    next();
  };
}

/** The name in a Host header, without port or IPv6 brackets, lower case. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * DNS rebinding defence: a page on attacker.example whose name is re-pointed at this server
 * sends `Host: attacker.example`, so only names the server is known by are answered: IP
 * addresses (typed by the user: no name to rebind), localhost, the configured `host` and
 * `auth.allowedHosts`. A request without Host (HTTP/1.0 tools) is not a browser's.
 */
export function checkHost(allowedHosts: readonly string[], listenHost?: string): RequestHandler {
  const names = new Set(['localhost', ...allowedHosts.map((h) => hostName(h)), ...(listenHost ? [hostName(listenHost)] : [])]);
  return (req, _res, next) => {
    const header = req.headers.host;
    if (header === undefined) return next();
    const name = hostName(header);
    if (isIP(name) || names.has(name) || name.endsWith('.localhost')) return next();
    next(
      new AppError('unknown_host', `this server does not answer to "${name.slice(0, 100)}"; add it to auth.allowedHosts`, 421, {
        params: { host: name.slice(0, 100) },
      }),
    );
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Same-origin check for browsers. A foreign Origin is refused; without Origin, Fetch Metadata
 * (Sec-Fetch-Site) decides; a client sending neither is not a browser (curl, the CLI) and
 * carries no ambient cookie a third party could abuse. The host is compared, not the scheme,
 * so a TLS proxy in front needs no extra setting.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin !== undefined && allowedOrigins.includes(origin)) return true;
  const site = headers['sec-fetch-site'];
  // The browser's own word that another site (or a sibling origin) made the request wins.
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && !!headers.host && url.host === headers.host.toLowerCase();
}

export function sameOriginForChanges(allowedOrigins: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (STATE_CHANGING.has(req.method) && !originAllowed(req.headers, allowedOrigins)) {
      next(new AppError('foreign_origin', 'request from another site refused', 403));
      return;
    }
    next();
  };
}

const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Path segments and query keys, percent-decoded; throws URIError on invalid UTF-8 anywhere (values too). */
function decodeUrlParts(raw: string): { segments: string[]; keys: string[] } {
  const q = raw.indexOf('?');
  const segments = (q < 0 ? raw : raw.slice(0, q)).split('/').map((s) => decodeURIComponent(s));
  const keys: string[] = [];
  for (const pair of q < 0
    ? []
    : raw
        .slice(q + 1)
        .replace(/\+/g, ' ')
        .split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0) decodeURIComponent(pair.slice(eq + 1));
    keys.push(decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq)));
  }
  return { segments, keys };
}

/** Refuses URLs that do not decode as UTF-8 and path segments or query keys like __proto__. */
export function rejectHostileUrls(): RequestHandler {
  return (req, _res, next) => {
    let parts: { segments: string[]; keys: string[] };
    try {
      parts = decodeUrlParts(req.originalUrl);
    } catch {
      next(new AppError('invalid_url', 'the address is not valid UTF-8 percent-encoding', 400));
      return;
    }
    // a[__proto__]=1 and a.__proto__=1 matter to parsers that nest keys: check every part.
    const bad = parts.segments.find((s) => PROTO_KEYS.has(s)) ?? parts.keys.flatMap((k) => k.split(/[.[\]]/)).find((k) => PROTO_KEYS.has(k));
    if (bad !== undefined) {
      next(new AppError('forbidden_key', `"${bad}" is not allowed in an address`, 400, { params: { key: bad } }));
      return;
    }
    next();
  };
}

function findProtoKey(v: unknown, depth = 0): string | undefined {
  if (depth > 32 || !v || typeof v !== 'object') return undefined;
  for (const k of Object.keys(v)) {
    if (PROTO_KEYS.has(k)) return k;
    const inner = findProtoKey((v as Record<string, unknown>)[k], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** After JSON parsing: refuse bodies with __proto__/constructor/prototype keys at any depth. */
export function rejectHostileBodies(): RequestHandler {
  return (req, _res, next) => {
    const bad = findProtoKey(req.body);
    next(bad ? new AppError('forbidden_key', `"${bad}" is not allowed as a key`, 400, { field: `body.${bad}`, params: { key: bad } }) : undefined);
  };
}

/** express.json `verify`: body-parser would turn invalid UTF-8 into U+FFFD silently. */
export function verifyUtf8Body(_req: unknown, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) throw new AppError('invalid_utf8', 'the request body is not valid UTF-8', 400);
}

/** Attaches the principal of the session cookie (anonymous without one) to every API request. */
export function sessionMiddleware(sessions: SessionService, secureCookie: (req: Request) => boolean): RequestHandler {
  return async (req, res, next) => {
    try {
      const ip = req.ip ?? req.socket.remoteAddress ?? '';
      const token = sessionTokenFrom(req.headers.cookie);
      const principal = token ? await sessions.principalFor(token, ip) : undefined;
      setPrincipal(req, principal ?? anonymousPrincipal(ip));
      if (token && !principal) res.append('Set-Cookie', clearedSessionCookie(secureCookie(req)));
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Writes the audit entries the matrix asks for when a response ends (or is cut off): successful changes,
 * views of media (once per user and thing within `viewDedupeMs`, since players send many
 * range requests), and refusals of signed-in users (aggregated per user, address and path).
 */
export function auditMiddleware(audit: AuditLog, log: Logger, clock: Clock, denials: AuditAggregator, viewDedupeMs = 5 * 60_000): RequestHandler {
  const lastView = new Map<string, number>();
  const record = (req: Request, res: Response) => {
    const done = authorizedOf(res);
    const path = req.originalUrl.split('?')[0]!.slice(0, 300);
    const p = principalOf(req);
    // Refused by authorize() or later by the route (e.g. a field the user may not change). Aggregated:
    // a script hammering a forbidden route must not write one row per request.
    if (res.statusCode === 403 && p.kind === 'user') {
      denials.note(`denied|${p.userId}|${p.ip}|${req.method}|${path}`, { principal: p, action: 'access.denied', detail: { method: req.method, path } });
      return undefined;
    }
    if (!done) return undefined;
    const mode = ACCESS_MATRIX[done.action].audit;
    if (res.statusCode >= 400 || mode === 'none' || mode === 'explicit') return undefined;
    if (mode === 'change' && (req.method === 'GET' || req.method === 'HEAD')) return undefined;
    if (mode === 'view') {
      const key = `${done.principal.userId}|${done.action}|${done.resource?.type}|${done.resource?.id}`;
      const now = clock.now();
      if ((lastView.get(key) ?? -Infinity) > now - viewDedupeMs) return undefined;
      if (lastView.size > 10_000) lastView.clear();
      lastView.set(key, now);
    }
    return audit.record({
      principal: done.principal,
      action: done.action,
      resource: done.resource ? { type: done.resource.type, id: done.resource.id } : undefined,
      detail: { method: req.method, path, status: res.statusCode, ...auditDetailOf(res) },
    });
  };
  return (req, res, next) => {
    // 'close' also fires when a player aborts a streamed clip midway: that view still counts.
    res.on('close', () => {
      if (!res.headersSent) return;
      record(req, res)?.catch((err: unknown) => log.error('audit of request failed', { path: req.path, err }));
    });
    next();
  };
}
