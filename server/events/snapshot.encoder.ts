import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../shared/log.js';
import { PROJECT_ROOT } from '../version.js';
import { checkPicture, DEFAULT_JPEG_QUALITY } from './jpeg.codec.js';
import type { YuvImage } from './snapshot.draw.js';

/** Turns a yuv420p picture into a JPEG. */
export interface JpegEncoder {
  /**
   * May take the picture's buffer (moved to another thread, leaving `img.data` empty): pass a
   * picture nobody else reads, as drawBox's copy.
   */
  encode(img: YuvImage): Promise<Buffer>;
}

export interface EncodeJob {
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
}
export type EncodeReply = { id: number; jpeg: Uint8Array } | { id: number; error: string };

export interface ThreadJpegOptions {
  /** Threads encoding at once (default 1: snapshots are a few per event, ≈ 5 ms each at 640×360). */
  workers?: number;
  /** Encodes that may wait for a thread; one more is refused at once (SnapshotWriter tries it again later). */
  maxQueue?: number;
  /** 1…100 (IJG scale); default DEFAULT_JPEG_QUALITY. */
  quality?: number;
  workerFile?: string;
  /** Where a thread's failure is told (the encode it was running fails with the same error). */
  log?: Logger;
}

interface Pending {
  job: EncodeJob;
  transfer: ArrayBuffer[];
  resolve(b: Buffer): void;
  reject(e: Error): void;
}
interface Slot {
  worker: Worker;
  busy?: Pending;
}

/** The compiled worker: beside this module, or in dist/ when running from .ts (vitest; build first). */
export function resolveJpegWorkerFile(moduleUrl = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  return here.endsWith('.js') ? path.join(path.dirname(here), 'snapshot.worker.js') : path.join(PROJECT_ROOT, 'dist', 'server', 'events', 'snapshot.worker.js');
}

/**
 * Snapshots encoded by jpeg.codec.ts on a small pool of worker threads. The main thread only
 * checks the size, posts the picture (its buffer moved, not copied) and awaits the bytes: the
 * ffmpeg process per snapshot this replaced cost ≈ 50 ms of CPU and a fork of the whole
 * server process on the event loop (the largest main-thread cost of the commune benchmark).
 * A thread that dies fails its encode; the next encode starts a new one.
 */
export class ThreadJpegEncoder implements JpegEncoder {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly file: string;

  constructor(private readonly o: ThreadJpegOptions = {}) {
    this.size = Math.max(1, o.workers ?? 1);
    this.maxQueue = o.maxQueue ?? 32;
    this.file = o.workerFile ?? resolveJpegWorkerFile();
  }

  encode(img: YuvImage): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('snapshot encoder is closed'));
    try {
      checkPicture(img);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const idle = this.idleSlot();
    if (!idle && this.queue.length >= this.maxQueue) {
      return Promise.reject(new Error(`snapshot encoder busy: ${this.queue.length} pictures already wait (maxQueue)`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const p: Pending = { ...movable(img, this.nextId++), resolve, reject };
      if (idle) this.dispatch(idle, p);
      else this.queue.push(p);
    });
  }

  /** Pictures waiting for a thread (not counting those being encoded). */
  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing = () => new Error('snapshot encoder is closed');
    for (const p of this.queue.splice(0)) p.reject(closing());
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(closing());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private idleSlot(): Slot | undefined {
    return this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
  }

  /** Threads start on first use: a CLI command or a server without events starts none. */
  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.file, { workerData: { quality: this.o.quality ?? DEFAULT_JPEG_QUALITY } }) };
    slot.worker.unref();
    slot.worker.on('message', (m: EncodeReply) => this.onReply(slot, m));
    const fail = (err: Error) => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return; // 'error' is followed by 'exit', and close() terminates: handle the end once
      this.slots.splice(at, 1);
      this.o.log?.error('snapshot encoder thread failed', { err });
      slot.busy?.reject(err);
      slot.busy = undefined;
      const next = this.queue.shift();
      if (next) this.dispatch(this.idleSlot()!, next);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`snapshot encoder thread exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, p: Pending): void {
    slot.busy = p;
    slot.worker.postMessage(p.job, p.transfer);
  }

  private onReply(slot: Slot, m: EncodeReply): void {
    const p = slot.busy;
    slot.busy = undefined;
    if (p && p.job.id === m.id) {
      if ('jpeg' in m) p.resolve(Buffer.from(m.jpeg.buffer, m.jpeg.byteOffset, m.jpeg.byteLength));
      else p.reject(new Error(`jpeg encode failed: ${m.error}`));
    }
    const next = this.queue.shift();
    if (next) this.dispatch(slot, next);
  }
}

/** The job, and the buffer to move with it: the picture's own when it spans it, else a copy of the picture. */
function movable(img: YuvImage, id: number): { job: EncodeJob; transfer: ArrayBuffer[] } {
  const { width, height } = img;
  const whole = img.data.byteOffset === 0 && img.data.byteLength === img.data.buffer.byteLength && img.data.buffer instanceof ArrayBuffer;
  const data = whole ? img.data : img.data.slice(0, width * height * 1.5);
  return { job: { id, width, height, data }, transfer: [data.buffer as ArrayBuffer] };
}
