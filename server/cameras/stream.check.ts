import net from 'node:net';
import tls from 'node:tls';

/**
 * Is a stream URI answering? For RTSP: connect and send OPTIONS, which every RTSP server
 * answers without authentication (a 401 still proves the server is there). For HTTP streams a
 * TCP connect is enough. Bounded in time and in bytes read; sends no credentials.
 */
export type StreamCheck = (uri: string, timeoutMs: number) => Promise<{ ok: true } | { ok: false; reason: string }>;

const DEFAULT_PORT: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

export const checkStream: StreamCheck = (uri, timeoutMs) =>
  new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      resolve({ ok: false, reason: 'not a valid URL' });
      return;
    }
    const port = Number(url.port) || DEFAULT_PORT[url.protocol];
    if (!port || !url.hostname) {
      resolve({ ok: false, reason: `unsupported stream scheme ${url.protocol}` });
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'rtsps:' || url.protocol === 'https:';
    const socket = secure ? tls.connect({ host, port, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
    let done = false;
    let received = '';
    const finish = (r: { ok: true } | { ok: false; reason: string }) => {
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
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        reason: err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ENOTFOUND' ? 'host not found' : (err.code ?? err.message),
      }),
    );
    socket.on('close', () => finish({ ok: false, reason: 'connection closed without an RTSP answer' }));
  });
