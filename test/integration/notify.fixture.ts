import type { NotificationDraft, NotificationRecord } from '../../server/domain/notification.js';
import type { NotifyChannel, SendResult } from '../../server/notify/notify.channel.js';
import type { Store } from '../../server/store/store.js';
import { addTestCamera } from './events.fixture.js';

/** A channel that records what it was sent and fails on demand (the receiver is a test double of one module boundary). */
export class RecordingChannel implements NotifyChannel {
  readonly name = 'webhook' as const;
  received: NotificationRecord[][] = [];
  failNext = 0;
  failAlways = false;
  constructor(readonly groupsBursts = false) {}
  async targets(): Promise<string[]> {
    return ['t1'];
  }
  async send(_target: string, group: NotificationRecord[]): Promise<SendResult> {
    if (this.failAlways || this.failNext > 0) {
      this.failNext--;
      return { ok: false, error: 'receiver said 500', status: 500 };
    }
    this.received.push(group);
    return { ok: true, status: 200 };
  }
  health() {
    return { channel: this.name, state: 'ok' as const, detail: null };
  }
  keys(): string[] {
    return this.received.flat().map((n) => n.key);
  }
}

export const draft = (key: string, cameraId: number | null, o: Partial<NotificationDraft> = {}): NotificationDraft => ({
  kind: 'alert.new',
  key,
  cameraId,
  areaId: null,
  severity: 'high',
  label: 'person',
  visibility: 'internal',
  payload: { n: key },
  at: Date.now(),
  ...o,
});

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A camera row that never runs (the events fixture's), by id. */
export async function testCamera(store: Store, name: string): Promise<number> {
  return (await addTestCamera(store, name, null)).id;
}
