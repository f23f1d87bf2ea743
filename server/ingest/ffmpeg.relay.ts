import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { digestAuthorization, pickChallenge, type DigestChallenge } from '../shared/http.digest.js';

/**
 * The snapshot relay: a loopback HTTP server through which ffmpeg fetches HTTP snapshot
 * cameras, so their URL and credentials stay out of ffmpeg's argument list (see HiddenInput in
 * ffmpeg.args.ts for why snapshots, and only they, go this way). Each ffmpeg gets its own
 * random path, valid while that process lives; the relay adds the camera's Basic or Digest
 * authorization (answering the camera's 401 the way ffmpeg would) and streams the answer back.
 * A local user who reads the path from `ps` can fetch the snapshots while it is valid (as they
 * could from the camera with the password, which they no longer see).
 */
interface Target {
  url: URL;
  username: string;
  password: string;
  timeoutMs: number;
  /** Why the camera could not be reached, in the words ffmpeg uses (explainFailure reads them). */
  onProblem: (line: string) => void;
  challenge?: DigestChallenge;
  basic?: boolean;
  nc: number;
}

export interface RelayedUrl {
  url: string;
  release(): void;
}

export class SnapshotRelay {
  private readonly targets = new Map<string, Target>();

  private constructor(
    private readonly server: http.Server,
    private readonly port: number,
  ) {}

  static async start(): Promise<SnapshotRelay> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref(); // never what keeps a process (a CLI command, a test) alive
    const relay = new SnapshotRelay(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => relay.handle(req, res));
    return relay;
  }

  /** A loopback URL standing for `target` (which may carry user:password@) until release(). */
  register(target: string, opts: { timeoutMs: number; onProblem?: (line: string) => void }): RelayedUrl {
    const url = new URL(target);
    const username = decode(url.username);
    const password = decode(url.password);
    url.username = '';
    url.password = '';
    const token = randomBytes(16).toString('hex');
    this.targets.set(token, { url, username, password, timeoutMs: opts.timeoutMs, onProblem: opts.onProblem ?? (() => undefined), nc: 0 });
    return { url: `http://127.0.0.1:${this.port}/snapshot/${token}`, release: () => this.targets.delete(token) };
  }

  close(): Promise<void> {
    this.targets.clear();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const token = /^\/snapshot\/([0-9a-f]{32})$/.exec(req.url ?? '')?.[1];
    const target = token ? this.targets.get(token) : undefined;
    if (!target || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    void this.forward(target, req, res, false);
  }

  private async forward(t: Target, req: IncomingMessage, res: ServerResponse, retried: boolean): Promise<void> {
    const headers: Record<string, string> = { 'user-agent': req.headers['user-agent'] ?? 'BinhYen', accept: '*/*' };
    const path = t.url.pathname + t.url.search;
    if (t.challenge) headers.authorization = digestAuthorization(t.challenge, t.username, t.password, req.method!, path, ++t.nc);
    else if (t.basic) headers.authorization = `Basic ${Buffer.from(`${t.username}:${t.password}`).toString('base64')}`;
    const client = t.url.protocol === 'https:' ? https : http;
    // Certificates are not checked, as ffmpeg does not check them by default (tls_verify=0):
    // cameras carry self-signed ones. The relay changes where credentials are visible, not whom the camera is trusted to be.
    const upstream = client.request(t.url, { method: req.method, headers, timeout: t.timeoutMs, rejectUnauthorized: false });
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      t.onProblem(`[snapshot relay] ${t.url.protocol}//${t.url.host}: ${problemText(err)}`);
      if (!res.headersSent) res.writeHead(err.code === 'ETIMEDOUT' ? 504 : 502);
      res.end();
    });
    upstream.on('response', (answer) => {
      if (answer.statusCode === 401 && !retried && t.username && this.learn(t, answer.headers['www-authenticate'])) {
        answer.resume();
        void this.forward(t, req, res, true);
        return;
      }
      // Only what ffmpeg needs. A refusal keeps a challenge, or ffmpeg would read the 401 page as
      // a picture instead of reporting "401 Unauthorized"; never the camera's own (its nonce is ours).
      const pass: Record<string, string> = {};
      for (const h of ['content-type', 'content-length', 'last-modified', 'cache-control']) {
        const v = answer.headers[h];
        if (typeof v === 'string') pass[h] = v;
      }
      if (answer.statusCode === 401) pass['www-authenticate'] = 'Basic realm="camera"';
      res.writeHead(answer.statusCode ?? 502, pass);
      answer.pipe(res);
    });
    req.on('close', () => upstream.destroy());
    upstream.end();
  }

  /** Takes the camera's challenge: Digest (the strongest offered) or Basic. False when there is none to answer. */
  private learn(t: Target, header: string | string[] | undefined): boolean {
    const offered = Array.isArray(header) ? header : header ? [header] : [];
    const digest = pickChallenge(offered);
    if (digest) {
      t.challenge = digest;
      t.nc = 0;
      return true;
    }
    if (!t.basic && offered.some((h) => /^\s*basic\b/i.test(h))) {
      t.basic = true;
      return true;
    }
    return false;
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** ffmpeg's wording for the same failures, so a snapshot camera's failure is explained like any other. */
function problemText(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'No route to host';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Failed to resolve hostname';
    default:
      return err.message;
  }
}
