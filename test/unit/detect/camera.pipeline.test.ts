import { describe, expect, it } from 'vitest';
import { motionSettings } from '../../../server/domain/camera.settings.motion.js';
import { CameraPipeline, type CameraPipelineDeps } from '../../../server/detect/camera.pipeline.js';
import { SyntheticCamera } from '../../../server/detect/motion.synthetic.js';
import type { DetectJob, JobOutcome } from '../../../server/detect/object.queue.js';
import { defaultRegionPolicy } from '../../../server/detect/regions.planner.js';
import { Tracker, trackerOptions, type TrackUpdate } from '../../../server/detect/tracker.js';
import type { Box } from '../../../server/domain/frame.js';

/**
 * The pipeline with a scripted object detector: it "sees" a person wherever the moving block
 * is inside a requested region, so the test checks gating, region requests and track events.
 */
function fakeQueue(block: () => Box | null, drop = () => false) {
  const jobs: DetectJob[] = [];
  const queue = {
    async submit(job: DetectJob): Promise<JobOutcome> {
      jobs.push(job);
      if (drop()) return { status: 'dropped', reason: 'stale', detections: [] };
      const b = block();
      const detections = job.requests.flatMap((r, regionIndex) => {
        const reg = r.region ?? [0, 0, r.frame.width, r.frame.height];
        return b && b[0] >= reg[0] && b[1] >= reg[1] && b[2] <= reg[2] && b[3] <= reg[3]
          ? [{ label: 'person', classIndex: 0, score: 0.7, box: b, regionIndex }]
          : [];
      });
      return { status: 'done', detections, analysed: job.requests.length, capped: 0 };
    },
  };
  return { queue, jobs };
}

function run(mode: 'pipeline' | 'naive', frames: number, moving: (i: number) => Box | null, drop?: (i: number) => boolean, trackCheckMs = 0) {
  const cam = new SyntheticCamera({ width: 320, height: 180 });
  let current: Box | null = null;
  let i = 0;
  const { queue, jobs } = fakeQueue(
    () => current,
    () => drop?.(i) ?? false,
  );
  const events: TrackUpdate[] = [];
  const pipeline = new CameraPipeline(
    {
      cameraId: 1,
      fps: 5,
      motion: motionSettings(),
      regionPolicy: defaultRegionPolicy(),
      minScore: 0.4,
      queue,
      mode,
      trackCheckMs,
      onTracks: (u) => events.push(u),
    },
    new Tracker(trackerOptions(1, 5)),
  );
  return (async () => {
    for (i = 0; i < frames; i++) {
      current = moving(i);
      const blocks = current ? [{ x: current[0], y: current[1], w: current[2] - current[0], h: current[3] - current[1], value: 250 }] : [];
      await pipeline.process(cam.frame(blocks, 0, 1_000_000 + i * 200));
    }
    pipeline.stop();
    return { pipeline, jobs, started: events.flatMap((e) => e.started), ended: events.flatMap((e) => e.ended) };
  })();
}

/** A camera pipeline as the live server runs it (model checks every 600 ms) on the given queue. */
const livePipeline = (queue: CameraPipelineDeps['queue'], onTracks: CameraPipelineDeps['onTracks']) =>
  new CameraPipeline(
    { cameraId: 1, fps: 5, motion: motionSettings(), regionPolicy: defaultRegionPolicy(), minScore: 0.4, queue, trackCheckMs: 600, onTracks },
    new Tracker(trackerOptions(1, 5)),
  );

const walker = (i: number): Box | null => (i >= 5 && i < 25 ? [20 + i * 8, 60, 50 + i * 8, 130] : null);

describe('camera pipeline', () => {
  it('does not run the object detector on a quiet scene', async () => {
    const r = await run('pipeline', 20, () => null);
    expect(r.jobs).toHaveLength(0);
    expect(r.pipeline.stats.analysed).toBe(20);
    expect(r.started).toHaveLength(0);
  });

  it('turns a moving person into one confirmed track that ends when the camera stops', async () => {
    const r = await run('pipeline', 30, walker);
    expect(r.started).toHaveLength(1);
    expect(r.started[0]).toMatchObject({ cameraId: 1, label: 'person', score: 0.7 });
    expect(r.ended).toHaveLength(1);
    expect(r.pipeline.stats.framesWithMotion).toBeGreaterThan(10);
    expect(r.jobs.length).toBeLessThan(30);
  });

  it('naive mode runs the model on every whole frame', async () => {
    const r = await run('naive', 10, walker);
    expect(r.jobs).toHaveLength(10);
    expect(r.jobs.every((j) => j.requests.length === 1 && j.requests[0]!.region![2] === 320)).toBe(true);
  });

  it('counts dropped detection work and does not end tracks because of it', async () => {
    const r = await run('pipeline', 30, walker, (i) => i >= 12 && i < 18);
    expect(r.pipeline.stats.detectDropped).toBeGreaterThan(0);
    expect(r.started).toHaveLength(1);
    expect(r.ended.map((e) => e.reason)).toEqual(['stopped']);
  });

  it('follows a confirmed track by motion between periodic model checks, without losing it', async () => {
    const every = await run('pipeline', 30, walker);
    const gated = await run('pipeline', 30, walker, undefined, 600);
    expect(gated.pipeline.stats.detectSkipped).toBeGreaterThan(5);
    expect(gated.jobs.length).toBeLessThan(every.jobs.length - 5);
    // Checks still come at least every 600 ms (3 frames at 5 fps) while the person moves.
    const times = gated.jobs.map((j) => j.capturedAt);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(600);
    expect(gated.started).toHaveLength(1);
    expect(gated.ended.map((e) => e.reason)).toEqual(['stopped']);
  });

  it('runs the model at once when motion appears away from the tracks it follows', async () => {
    const alone = await run('pipeline', 25, walker, undefined, 600);
    const at = (i: number) => 1_000_000 + i * 200;
    // A frame where following the walker alone needs no model run …
    const k = [12, 13, 14, 15, 16].find((i) => !alone.jobs.some((j) => j.capturedAt === at(i)))!;
    expect(k).toBeDefined();
    // … gets one when a second object starts moving there.
    const second = (i: number): Box | null => (i >= k ? [40, 10, 70, 50] : null);
    const both = await run('pipeline', k + 1, (i) => second(i) ?? walker(i), undefined, 600);
    expect(both.jobs.map((j) => j.capturedAt)).toContain(at(k));
  });

  it('live: never waits for the model; frames meanwhile are followed by motion alone, then the model takes the newest', async () => {
    const cam = new SyntheticCamera({ width: 320, height: 180 });
    const submitted: DetectJob[] = [];
    const answers: ((o: JobOutcome) => void)[] = [];
    const queue = {
      submit: (job: DetectJob) => {
        submitted.push(job);
        return new Promise<JobOutcome>((resolve) => answers.push(resolve));
      },
    };
    const updates: TrackUpdate[] = [];
    const pipeline = livePipeline(queue, (u) => updates.push(u));
    const box = (i: number): Box => [20 + i * 8, 60, 50 + i * 8, 130];
    const frameAt = (i: number) => cam.frame(i >= 5 ? [{ x: box(i)[0], y: 60, w: 30, h: 70, value: 250 }] : [], 0, 1_000_000 + i * 200);
    const person = (b: Box): JobOutcome => ({
      status: 'done',
      detections: [{ label: 'person', classIndex: 0, score: 0.8, box: b, regionIndex: 0 }],
      analysed: 1,
      capped: 0,
    });
    for (let i = 0; i < 9; i++) pipeline.step(frameAt(i));
    // The person appeared at frame 5: one model run, and frames 6–8 went on without waiting for it.
    expect(submitted.map((j) => j.capturedAt)).toEqual([1_000_000 + 5 * 200]);
    expect(pipeline.stats).toMatchObject({ frames: 9, analysed: 8, detectBusy: 3 });
    answers[0]!(person(box(5)));
    await new Promise((r) => setImmediate(r));
    expect(pipeline.stats.analysed).toBe(9);
    // A detection waiting for its confirming hit: the very next frame goes to the model, ahead of re-checks.
    pipeline.step(frameAt(9));
    expect(submitted).toHaveLength(2);
    expect(submitted[1]).toMatchObject({ capturedAt: 1_000_000 + 9 * 200, urgent: true });
    answers[1]!(person(box(9)));
    await new Promise((r) => setImmediate(r));
    expect(updates.flatMap((u) => u.started)).toMatchObject([{ label: 'person', hits: 2, firstSeenAt: 1_000_000 + 5 * 200 }]);
  });

  it('live: a model run that fails in the background fails the frame loop (never an unhandled rejection)', async () => {
    const cam = new SyntheticCamera({ width: 320, height: 180 });
    // The model's answer comes later; the tracks update it causes is the one that throws.
    let fromModel = false;
    const queue = {
      submit: () =>
        new Promise<JobOutcome>((resolve) =>
          setImmediate(() => {
            fromModel = true;
            resolve({ status: 'done', detections: [], analysed: 1, capped: 0 });
          }),
        ),
    };
    const pipeline = livePipeline(queue, () => {
      if (fromModel) throw new Error('bus listener broke');
    });
    const frames = (async function* () {
      for (let i = 0; i < 10; i++) {
        yield cam.frame([{ x: 20 + i * 8, y: 60, w: 30, h: 70, value: 250 }], 0, 1_000_000 + i * 200);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await expect(pipeline.run(frames)).rejects.toThrow('bus listener broke');
  });
});

describe('a camera event wakes the pipeline', () => {
  it('whole frames go to the model until the wake ends, even without pixel motion', async () => {
    const cam = new SyntheticCamera({ width: 320, height: 180 });
    const { queue, jobs } = fakeQueue(() => null);
    const pipeline = new CameraPipeline(
      { cameraId: 1, fps: 5, motion: motionSettings(), regionPolicy: defaultRegionPolicy(), minScore: 0.4, queue, onTracks: () => undefined },
      new Tracker(trackerOptions(1, 5)),
    );
    const at = (i: number) => 1_000_000 + i * 200;
    for (let i = 0; i < 5; i++) await pipeline.process(cam.frame([], 0, at(i)));
    expect(jobs).toHaveLength(0); // a still scene: nothing for the model
    pipeline.wake(at(7));
    for (let i = 5; i < 12; i++) await pipeline.process(cam.frame([], 0, at(i)));
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.capturedAt <= at(7))).toBe(true);
  });
});
