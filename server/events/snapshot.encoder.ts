import type { Logger } from '../shared/log.js';
import { ThreadPool, workerFileBeside } from '../shared/thread.pool.js';
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

/** The compiled worker: beside this module, or in dist/ when running from .ts (vitest; build first). */
export const resolveJpegWorkerFile = (moduleUrl = import.meta.url): string => workerFileBeside(moduleUrl, 'snapshot.worker', 'events');

/**
 * Snapshots encoded by jpeg.codec.ts on a small pool of worker threads. The main thread only
 * checks the size, posts the picture (its buffer moved, not copied) and awaits the bytes: the
 * ffmpeg process per snapshot this replaced cost ≈ 50 ms of CPU and a fork of the whole
 * server process on the event loop (the largest main-thread cost of the commune benchmark).
 * A thread that dies fails its encode; the next encode starts a new one.
 */
export class ThreadJpegEncoder implements JpegEncoder {
  private readonly pool: ThreadPool;
  private readonly maxQueue: number;

  constructor(o: ThreadJpegOptions = {}) {
    this.maxQueue = o.maxQueue ?? 32;
    this.pool = new ThreadPool({
      file: o.workerFile ?? resolveJpegWorkerFile(),
      size: Math.max(1, o.workers ?? 1),
      workerData: { quality: o.quality ?? DEFAULT_JPEG_QUALITY },
      closedError: () => new Error('snapshot encoder is closed'),
      failure: 'jpeg encode failed',
      thread: 'snapshot encoder thread',
      onThreadError: (err) => o.log?.error('snapshot encoder thread failed', { err }),
    });
  }

  async encode(img: YuvImage): Promise<Buffer> {
    checkPicture(img);
    if (!this.pool.hasIdle && this.pool.queued >= this.maxQueue) {
      throw new Error(`snapshot encoder busy: ${this.pool.queued} pictures already wait (maxQueue)`);
    }
    const { job, transfer } = movable(img);
    const { reply } = await this.pool.run<{ jpeg: Uint8Array }>(job, transfer);
    return Buffer.from(reply.jpeg.buffer, reply.jpeg.byteOffset, reply.jpeg.byteLength);
  }

  /** Pictures waiting for a thread (not counting those being encoded). */
  get queued(): number {
    return this.pool.queued;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The job, and the buffer to move with it: the picture's own when it spans it, else a copy of the picture. */
function movable(img: YuvImage): { job: Omit<EncodeJob, 'id'>; transfer: ArrayBuffer[] } {
  const { width, height } = img;
  const whole = img.data.byteOffset === 0 && img.data.byteLength === img.data.buffer.byteLength && img.data.buffer instanceof ArrayBuffer;
  const data = whole ? img.data : img.data.slice(0, width * height * 1.5);
  return { job: { width, height, data }, transfer: [data.buffer as ArrayBuffer] };
}
