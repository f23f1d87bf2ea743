import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyWebhook } from '../../server/notify/webhook.sign.js';
import { closeNow, listenLoopback } from '../support/loopback.js';

export type ReceiverMode = 'ok' | 'fail500' | 'hang' | 'huge' | 'down';

export interface Received {
  key: string;
  kind: string;
  body: Record<string, unknown>;
  verified: boolean;
  at: number;
}

/**
 * A webhook receiver on loopback, as an integrator would write one: it checks the signature
 * over the raw body, and can answer 500, hang, send a 100 MB answer or be down (socket closed).
 */
export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  received: Received[] = [];
  hits = 0;
  hugeBytesWritten = 0;
  private server: Server | undefined;
  port = 0;
  constructor(private readonly secret: () => string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.port = await listenLoopback(this.server, port);
  }

  async stop(): Promise<void> {
    await closeNow(this.server);
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.hits++;
    if (this.mode === 'hang') return; // never answers
    if (this.mode === 'fail500') return void res.writeHead(500).end('down for maintenance');
    if (this.mode === 'huge') return this.huge(res);
    const v = verifyWebhook(this.secret(), req.headers['x-binhyen-signature'] as string | undefined, raw, Math.floor(Date.now() / 1000));
    const body = JSON.parse(raw) as Record<string, unknown>;
    this.received.push({ key: String(req.headers['x-binhyen-delivery']), kind: String(req.headers['x-binhyen-event']), body, verified: v.ok, at: Date.now() });
    res.writeHead(v.ok ? 200 : 401).end(v.ok ? 'ok' : 'bad signature');
  }

  /** 200 and then up to 100 MB, written as fast as the client reads. */
  private huge(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const write = () => {
      while (this.hugeBytesWritten < 100 * (1 << 20) && !res.destroyed) {
        this.hugeBytesWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end();
    };
    res.on('error', () => undefined);
    write();
  }

  keys(): string[] {
    return this.received.map((r) => r.key);
  }
}
