/**
 * Newest-value delivery. A channel holds at most one undelivered value: when the consumer is
 * still busy with the previous one, a new value replaces the pending one and the replaced
 * value is counted as dropped. Nothing queues, so a slow detector costs dropped frames,
 * never memory or latency.
 */

export interface FrameSubscription<T> extends AsyncIterable<T> {
  readonly delivered: number;
  readonly dropped: number;
  /** Ends the iteration (a pending value is discarded and counted as dropped). */
  close(): void;
}

export class NewestChannel<T> implements FrameSubscription<T> {
  private pending: { value: T } | undefined;
  private waiter: ((r: IteratorResult<T, undefined>) => void) | undefined;
  private closed = false;
  delivered = 0;
  dropped = 0;

  constructor(private readonly hooks: { onTake?: () => void; onClose?: () => void } = {}) {}

  /** True while a value waits for the consumer (used for back-pressure). */
  get full(): boolean {
    return this.pending !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(value: T): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.delivered++;
      w({ value, done: false });
      return;
    }
    if (this.pending) this.dropped++;
    this.pending = { value };
  }

  /** Ends the stream after the value already pending (if any) has been taken. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
    this.hooks.onClose?.();
  }

  close(): void {
    if (this.pending) this.dropped++;
    this.pending = undefined;
    this.end();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.pending) {
      const { value } = this.pending;
      this.pending = undefined;
      this.delivered++;
      this.hooks.onTake?.();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('a frame channel has one consumer: subscribe again for another'));
    this.hooks.onTake?.();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** Fans one producer out to any number of newest-value subscribers, each with its own slot. */
export class FrameHub<T> {
  private readonly subs = new Set<NewestChannel<T>>();
  private closedDropped = 0;
  private closedDelivered = 0;
  private ended = false;
  private roomListener: (() => void) | undefined;

  subscribe(): FrameSubscription<T> {
    const ch: NewestChannel<T> = new NewestChannel<T>({
      onTake: () => {
        if (this.roomListener && this.hasRoom) this.roomListener();
      },
      onClose: () => {
        if (!this.subs.delete(ch)) return;
        this.closedDropped += ch.dropped;
        this.closedDelivered += ch.delivered;
        if (this.roomListener && this.hasRoom) this.roomListener();
      },
    });
    if (this.ended) ch.end();
    else this.subs.add(ch);
    return ch;
  }

  publish(value: T): void {
    for (const ch of this.subs) ch.push(value);
  }

  /** No subscriber has an undelivered value. */
  get hasRoom(): boolean {
    for (const ch of this.subs) if (ch.full) return false;
    return true;
  }

  /** Called whenever a consumer takes a value and every slot is free again (back-pressure for files). */
  onRoom(fn: (() => void) | undefined): void {
    this.roomListener = fn;
  }

  get subscribers(): number {
    return this.subs.size;
  }

  get dropped(): number {
    let n = this.closedDropped;
    for (const ch of this.subs) n += ch.dropped;
    return n;
  }

  get delivered(): number {
    let n = this.closedDelivered;
    for (const ch of this.subs) n += ch.delivered;
    return n;
  }

  /** Ends every subscription (after its pending value); later subscribers end at once. */
  end(): void {
    this.ended = true;
    for (const ch of [...this.subs]) ch.end();
  }
}

/**
 * Back-pressure in front of a hub, for offline analysis of files: instead of replacing frames
 * a consumer has not taken, hold them (at most what one stdout chunk carried) and pause the
 * producer until every subscriber has room again. Ending waits until the held frames are out.
 */
export class BackpressureGate<T> {
  private pending: T[] = [];
  private ending = false;
  private pausedFlag = false;

  constructor(
    private readonly hub: FrameHub<T>,
    private readonly producer: { pause(): void; resume(): void },
  ) {
    hub.onRoom(() => this.drain());
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  push(value: T): void {
    this.pending.push(value);
    this.drain();
  }

  end(): void {
    this.ending = true;
    this.drain();
  }

  private drain(): void {
    while (this.pending.length && this.hub.hasRoom) this.hub.publish(this.pending.shift()!);
    if (this.pending.length && !this.pausedFlag) {
      this.pausedFlag = true;
      this.producer.pause();
    } else if (!this.pending.length && this.pausedFlag) {
      this.pausedFlag = false;
      this.producer.resume();
    }
    if (this.ending && !this.pending.length) this.hub.end();
  }
}
