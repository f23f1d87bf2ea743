import net, { type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { isTargetNotAllowed, pinnedLookup, type TargetGuard } from './network.guard.js';

/**
 * Is a stream URI answering? For RTSP: connect and send OPTIONS, which every RTSP server
 * answers without authentication (a 401 still proves the server is there). For HTTP streams a
 * TCP connect is enough. Bounded in time and in bytes read; sends no credentials.
 */
type CheckResult = { ok: true } | { ok: false; reason: string };
export type StreamCheck = (uri: string, timeoutMs: number) => Promise<CheckResult>;

const DEFAULT_PORT: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/**
 * With a guard (the server's probes), the host's addresses are checked first and the socket
 * connects only to them; a refused address rejects with target_not_allowed before any packet.
 */
export async function checkStream(uri: string, timeoutMs: number, guard?: TargetGuard): Promise<CheckResult> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  const port = Number(url.port) || DEFAULT_PORT[url.protocol];
  if (!port || !url.hostname) return { ok: false, reason: `unsupported stream scheme ${url.protocol}` };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let lookup: LookupFunction | undefined;
  if (guard) {
    try {
      lookup = pinnedLookup(await guard.resolve(host));
    } catch (err) {
      if (isTargetNotAllowed(err)) throw err;
      return { ok: false, reason: socketReason(err as NodeJS.ErrnoException) };
    }
  }
  return connectAndAsk(uri, url, host, port, timeoutMs, lookup);
}

function connectAndAsk(uri: string, url: URL, host: string, port: number, timeoutMs: number, lookup: LookupFunction | undefined): Promise<CheckResult> {
  return new Promise((resolve) => {
    const secure = url.protocol === 'rtsps:' || url.protocol === 'https:';
    const pin = lookup ? { lookup } : {};
    const socket = secure
      ? tls.connect({ host, port, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host, ...pin })
      : net.connect({ host, port, ...pin });
    let done = false;
    let received = '';
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (!url.protocol.startsWith('rtsp')) return finish({ ok: true });
      const clean = new URL(uri);
      clean.username = '';
      clean.password = '';
      socket.write(`OPTIONS ${clean.href} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: BinhYen\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (/^RTSP\/\d\.\d \d{3}/.test(received)) finish({ ok: true });
      else if (received.length > 4096 || (received.length >= 12 && !received.startsWith('RTSP/')))
        finish({ ok: false, reason: 'the port answers, but not as an RTSP server' });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, reason: socketReason(err) }));
    socket.on('close', () => finish({ ok: false, reason: 'connection closed without an RTSP answer' }));
  });
}

const socketReason = (err: NodeJS.ErrnoException) =>
  err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ENOTFOUND' ? 'host not found' : (err.code ?? err.message);
