import { describe, expect, it } from 'vitest';
import { FrameHub, NewestChannel } from '../../../server/ingest/frame.channel.js';

describe('NewestChannel', () => {
  it('hands a waiting consumer the value at once', async () => {
    const ch = new NewestChannel<number>();
    const next = ch.next();
    ch.push(1);
    expect(await next).toEqual({ value: 1, done: false });
    expect(ch.dropped).toBe(0);
  });

  it('keeps only the newest value while the consumer is busy and counts the dropped ones', async () => {
    const ch = new NewestChannel<number>();
    for (let i = 1; i <= 5; i++) ch.push(i);
    expect(await ch.next()).toEqual({ value: 5, done: false });
    expect(ch.dropped).toBe(4);
    expect(ch.delivered).toBe(1);
  });

  it('ends after the pending value; close() discards it', async () => {
    const a = new NewestChannel<number>();
    a.push(1);
    a.end();
    expect(await a.next()).toEqual({ value: 1, done: false });
    expect((await a.next()).done).toBe(true);
    const b = new NewestChannel<number>();
    b.push(1);
    b.close();
    expect((await b.next()).done).toBe(true);
    expect(b.dropped).toBe(1);
  });

  it('is an async iterable a slow consumer can leave with break', async () => {
    const ch = new NewestChannel<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const v of ch) {
        seen.push(v);
        await new Promise((r) => setTimeout(r, 20)); // busy: pushes meanwhile replace each other
        if (v >= 10) break;
      }
    })();
    for (let i = 1; i <= 10; i++) {
      ch.push(i);
      await new Promise((r) => setTimeout(r, 5));
    }
    await consumer;
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(10);
    expect(seen.length).toBeLessThan(10);
    expect(ch.dropped).toBe(10 - seen.length);
    expect(ch.isClosed).toBe(true);
  });

  it('refuses a second concurrent consumer', async () => {
    const ch = new NewestChannel<number>();
    void ch.next();
    await expect(ch.next()).rejects.toThrow(/one consumer/);
  });
});

describe('FrameHub', () => {
  it('gives each subscriber its own newest-value slot', async () => {
    const hub = new FrameHub<number>();
    const fast = hub.subscribe();
    const slow = hub.subscribe();
    const itFast = fast[Symbol.asyncIterator]();
    const itSlow = slow[Symbol.asyncIterator]();
    for (let i = 1; i <= 3; i++) {
      hub.publish(i);
      expect((await itFast.next()).value).toBe(i);
    }
    expect((await itSlow.next()).value).toBe(3);
    expect(fast.dropped).toBe(0);
    expect(slow.dropped).toBe(2);
    expect(hub.dropped).toBe(2);
    expect(hub.delivered).toBe(4);
  });

  it('keeps counts of subscribers that left and ends everyone on end()', async () => {
    const hub = new FrameHub<number>();
    const a = hub.subscribe();
    hub.publish(1);
    hub.publish(2);
    a.close();
    expect(hub.subscribers).toBe(0);
    expect(hub.dropped).toBe(2);
    const b = hub.subscribe();
    hub.end();
    expect((await b[Symbol.asyncIterator]().next()).done).toBe(true);
    expect((await hub.subscribe()[Symbol.asyncIterator]().next()).done).toBe(true);
  });

  it('signals room for back-pressure when every slot is free again', async () => {
    const hub = new FrameHub<number>();
    const sub = hub.subscribe()[Symbol.asyncIterator]();
    let rooms = 0;
    hub.onRoom(() => rooms++);
    hub.publish(1);
    expect(hub.hasRoom).toBe(false);
    await sub.next();
    expect(hub.hasRoom).toBe(true);
    expect(rooms).toBeGreaterThan(0);
  });
});
