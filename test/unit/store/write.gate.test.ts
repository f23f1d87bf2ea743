import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../server/shared/log.js';
import { WriteGate, WriteRetry } from '../../../server/store/write.retry.js';
import { FakeClock } from '../events/fake.clock.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A write the test finishes by hand; `started` says whether the database was asked. */
function heldWrite(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const w = {
    started: 0,
    fn: () =>
      new Promise<string>((resolve, reject) => {
        w.started++;
        log.push(name);
        finish = () => resolve(name);
        fail = reject;
      }),
    finish: () => finish(),
    fail: (err: Error) => fail(err),
  };
  return w;
}

describe('WriteRetry with a WriteGate (one background write in the database queue)', () => {
  it('hands background writes over one at a time, in order, while an urgent one goes at once', async () => {
    const order: string[] = [];
    const writes = new WriteRetry({ clock: new FakeClock(0), log: silentLogger, gate: new WriteGate(1) });
    const [a, b, c, alert] = ['a', 'b', 'c', 'alert'].map((n) => heldWrite(order, n));
    const done = [writes.run('event update', a!.fn), writes.run('recording index', b!.fn), writes.run('event update', c!.fn)];
    const urgent = writes.run('alert', alert!.fn, 'urgent');
    await flush();
    expect(order).toEqual(['a', 'alert']);
    expect(writes.waiting).toBe(2);
    alert!.finish();
    expect(await urgent).toBe('alert');
    a!.finish();
    await flush();
    expect(order).toEqual(['a', 'alert', 'b']);
    b!.finish();
    await flush();
    c!.finish();
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c']);
    expect(writes.waiting).toBe(0);
  });

  it('a write waiting out its retry backoff gives its slot to the next', async () => {
    const clock = new FakeClock(0);
    const order: string[] = [];
    const writes = new WriteRetry({ clock, log: silentLogger, backoffMs: [100], gate: new WriteGate(1) });
    const a = heldWrite(order, 'a');
    const b = heldWrite(order, 'b');
    const first = writes.run('event update', a.fn);
    const second = writes.run('event update', b.fn);
    await flush();
    a.fail(Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' }));
    await flush();
    expect(order).toEqual(['a', 'b']); // b runs while a sleeps
    b.finish();
    expect(await second).toBe('b');
    clock.advance(100);
    await flush();
    expect(a.started).toBe(2);
    a.finish();
    expect(await first).toBe('a');
    expect(writes.counters).toMatchObject({ retried: 1, queued: 0, failed: 0 });
  });
});
