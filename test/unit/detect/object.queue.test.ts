import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DetectRequest, Detection } from '../../../server/detect/object.detector.js';
import { DetectionQueue, type JobOutcome } from '../../../server/detect/object.queue.js';
import { silentLogger } from '../../../server/shared/log.js';

/** A detector whose jobs finish when the test says so; it records what it was asked. */
class FakeDetector {
  workers = 1;
  /** Answer every job at once instead of waiting for finish(). */
  auto = false;
  readonly calls: { tag: string; resolve(): void; reject(e: Error): void }[] = [];
  detect(requests: readonly DetectRequest[]): Promise<Detection[]> {
    return new Promise<Detection[]>((resolve, reject) => {
      this.calls.push({
        tag: requests.map(tagOf).join('+'),
        resolve: () => resolve(requests.map((_, i) => ({ label: 'person', classIndex: 0, score: 0.9, box: [0, 0, 1, 1], regionIndex: i }))),
        reject,
      });
      if (this.auto) this.calls.at(-1)!.resolve();
    });
  }
  get tags(): string[] {
    return this.calls.map((c) => c.tag);
  }
  async finish(i: number): Promise<void> {
    this.calls[i]!.resolve();
    await flush();
  }
}

const frame = { width: 2, height: 2, data: new Uint8Array(6) };
/** Requests carry a tag in their region so the test can see which one the detector got. */
const req = (tag: string): DetectRequest & { tag: string } => ({ frame, region: [0, 0, 2, 2], tag });
const tagOf = (r: DetectRequest): string => (r as DetectRequest & { tag?: string }).tag ?? '?';
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('DetectionQueue', () => {
  let det: FakeDetector;
  const make = (opts: Partial<{ maxPerCameraPerSecond: number; staleMs: number; maxInFlight: number }> = {}) =>
    new DetectionQueue({ maxPerCameraPerSecond: 100, staleMs: 2000, ...opts }, { detector: det, log: silentLogger, now: () => Date.now() });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_000_000);
    det = new FakeDetector();
  });
  afterEach(() => vi.useRealTimers());

  it('runs the newest waiting work first across cameras', async () => {
    const q = make();
    const t = Date.now();
    const first = q.submit({ cameraId: 9, capturedAt: t, requests: [req('busy')] });
    const a = q.submit({ cameraId: 1, capturedAt: t - 300, requests: [req('a')] });
    const b = q.submit({ cameraId: 2, capturedAt: t - 100, requests: [req('b')] });
    const c = q.submit({ cameraId: 3, capturedAt: t - 200, requests: [req('c')] });
    expect(det.tags).toEqual(['busy']);
    await det.finish(0);
    await det.finish(1);
    await det.finish(2);
    await det.finish(3);
    expect(det.tags).toEqual(['busy', 'b', 'c', 'a']);
    for (const p of [first, a, b, c]) expect((await p).status).toBe('done');
    expect(q.totals()).toMatchObject({ requested: 4, done: 4, droppedStale: 0, droppedCap: 0 });
  });

  it('runs urgent work (something new, a track to confirm) before newer periodic re-checks', async () => {
    const q = make();
    const t = Date.now();
    void q.submit({ cameraId: 9, capturedAt: t, requests: [req('busy')] });
    void q.submit({ cameraId: 1, capturedAt: t - 100, requests: [req('recheck')] });
    void q.submit({ cameraId: 2, capturedAt: t - 300, urgent: true, requests: [req('confirm')] });
    await det.finish(0);
    await det.finish(1);
    expect(det.tags).toEqual(['busy', 'confirm', 'recheck']);
  });

  it('keeps one waiting job per camera: a newer frame replaces the older one, counted', async () => {
    const q = make();
    const t = Date.now();
    void q.submit({ cameraId: 1, capturedAt: t, requests: [req('run')] });
    const old = q.submit({ cameraId: 2, capturedAt: t + 1, requests: [req('old1'), req('old2')] });
    const newer = q.submit({ cameraId: 2, capturedAt: t + 2, requests: [req('new')] });
    // A late-arriving older frame never displaces newer work.
    const late = q.submit({ cameraId: 2, capturedAt: t, requests: [req('late')] });
    expect(await old).toEqual({ status: 'dropped', reason: 'superseded', detections: [] });
    expect(await late).toMatchObject({ status: 'dropped', reason: 'superseded' });
    expect(q.waitingJobs).toBe(1);
    await det.finish(0);
    await det.finish(1);
    expect(det.tags).toEqual(['run', 'new']);
    expect((await newer).status).toBe('done');
    expect(q.stats(2)).toMatchObject({ requested: 4, done: 1, droppedSuperseded: 3 });
  });

  it('never queues without bound: waiting work is at most one job per camera', async () => {
    const q = make({ staleMs: 60_000 });
    const outcomes: Promise<JobOutcome>[] = [];
    for (let i = 0; i < 200; i++) outcomes.push(q.submit({ cameraId: i % 4, capturedAt: Date.now() + i, requests: [req(`j${i}`)] }));
    expect(q.waitingJobs).toBeLessThanOrEqual(4);
    expect(q.regionsInFlight).toBe(1);
    // Job 0 runs; every later job but the newest of each camera was replaced by a newer one.
    const settled = await Promise.all(outcomes.slice(1, 196));
    expect(settled.every((o) => o.status === 'dropped' && o.reason === 'superseded')).toBe(true);
    expect(q.stats(0).droppedSuperseded).toBe(48); // 50 jobs: one ran, one waits
    const closing = q.close();
    await det.finish(0);
    await closing;
    expect((await outcomes[0]!).status).toBe('done');
  });

  it('caps inferences per camera per second and counts what the cap drops', async () => {
    det.workers = 4;
    det.auto = true;
    const q = make({ maxPerCameraPerSecond: 2 });
    const results: JobOutcome[] = [];
    // Camera 1 at 10 fps for one second.
    for (let i = 0; i < 10; i++) {
      results.push(await q.submit({ cameraId: 1, capturedAt: Date.now(), requests: [req(`f${i}`)] }));
      vi.advanceTimersByTime(100);
    }
    const done = results.filter((r) => r.status === 'done').length;
    // A burst of 2 at the start, then 2 per second: 3 or 4 of 10 frames in one second.
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.status === 'dropped' && r.reason === 'cap')).toHaveLength(10 - done);
    expect(q.stats(1)).toMatchObject({ requested: 10, done, droppedCap: 10 - done });
    // Another camera has its own budget.
    expect((await q.submit({ cameraId: 2, capturedAt: Date.now(), requests: [req('o')] })).status).toBe('done');
  });

  it('runs only the regions the cap allows, earlier regions first', async () => {
    det.workers = 4;
    const q = make({ maxPerCameraPerSecond: 2 });
    const p = q.submit({ cameraId: 1, capturedAt: Date.now(), requests: [req('r0'), req('r1'), req('r2')] });
    expect(det.tags).toEqual(['r0+r1']);
    await det.finish(0);
    expect(await p).toMatchObject({ status: 'done', analysed: 2, capped: 1 });
    expect(q.stats(1)).toMatchObject({ requested: 3, done: 2, droppedCap: 1 });
  });

  it('drops work that is already stale, and work that goes stale while waiting', async () => {
    const q = make({ staleMs: 500 });
    const t = Date.now();
    expect(await q.submit({ cameraId: 1, capturedAt: t - 501, requests: [req('old')] })).toMatchObject({ status: 'dropped', reason: 'stale' });
    void q.submit({ cameraId: 2, capturedAt: t, requests: [req('busy')] });
    const waiting = q.submit({ cameraId: 3, capturedAt: t, requests: [req('w1'), req('w2')] });
    vi.advanceTimersByTime(502);
    expect(await waiting).toMatchObject({ status: 'dropped', reason: 'stale' });
    expect(q.waitingJobs).toBe(0);
    await det.finish(0);
    expect(det.tags).toEqual(['busy']);
    expect(q.stats(1).droppedStale).toBe(1);
    expect(q.stats(3)).toMatchObject({ requested: 2, droppedStale: 2, done: 0 });
  });

  it('reports a failed job as failed (with the error) and keeps going', async () => {
    const q = make();
    const p = q.submit({ cameraId: 1, capturedAt: Date.now(), requests: [req('x')] });
    const next = q.submit({ cameraId: 2, capturedAt: Date.now(), requests: [req('y')] });
    const err = Object.assign(new Error('worker stopped'), { code: 'worker_crashed' });
    det.calls[0]!.reject(err);
    const out = await p;
    expect(out.status).toBe('failed');
    expect(out.status === 'failed' && out.error).toBe(err);
    await flush();
    await det.finish(1);
    expect((await next).status).toBe('done');
    expect(q.totals()).toMatchObject({ requested: 2, done: 1, failed: 1 });
  });

  it('close() drops waiting work and waits for running jobs', async () => {
    const q = make();
    const running = q.submit({ cameraId: 1, capturedAt: Date.now(), requests: [req('run')] });
    const waiting = q.submit({ cameraId: 2, capturedAt: Date.now(), requests: [req('wait')] });
    const closed = q.close();
    expect(await waiting).toMatchObject({ status: 'dropped', reason: 'closed' });
    await det.finish(0);
    await closed;
    expect((await running).status).toBe('done');
    expect(await q.submit({ cameraId: 1, capturedAt: Date.now(), requests: [req('late')] })).toMatchObject({ status: 'dropped', reason: 'closed' });
  });
});
