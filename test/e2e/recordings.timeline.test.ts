import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { addSimCamera, login, startWorld, type World } from './support/world.js';

const SEGMENT_S = 2;

/**
 * The recording timeline (issue 15 item 3): the police open a camera's recording, zoom to
 * 10 minutes, scrub by dragging the mouse along the timeline, and play from there across
 * segment boundaries at 4×; an event mark is a ≥ 24 px target that plays from the event.
 */
describeBrowser('the recording timeline', () => {
  let world: World;
  let sim: SimulatedCamera;
  let cameraId: number;
  let eventAt: number;
  let police: BrowserSession;

  beforeAll(async () => {
    world = await startWorld({ record: { segmentSeconds: SEGMENT_S } });
    ({ sim, cameraId } = await addSimCamera(world, 'Cổng chợ Đông', { source: { kind: 'pattern' }, width: 640, height: 360, fps: 10 }));
    // 40 s of recording: twenty segments.
    const started = Date.now();
    for (;;) {
      const spans = await world.server.store.recordings.overlapping(cameraId, started - 60_000, Date.now());
      if (spans.length >= 15) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const segs = await world.server.store.recordings.overlapping(cameraId, 0, Date.now());
    eventAt = segs[3]!.startAt + 500;
    const ev = await world.server.store.events.create({
      cameraId,
      areaId: world.areas.hamlet.id,
      trackId: null,
      label: 'person',
      score: 0.9,
      box: null,
      zones: [],
      startAt: eventAt,
      lastSeenAt: eventAt + 2_000,
      bestAt: null,
      visibility: 'internal',
    });
    await world.server.store.events.update(ev.id, { endAt: eventAt + 2_000, endReason: 'left' });
    police = await openBrowser({ width: 1920, height: 1080 });
  }, 180_000);
  screenshotOnFailure(() => [police?.page]);
  afterAll(async () => {
    await police?.close();
    await sim?.stop();
    await world?.server.stop();
  });

  it('zoomed to 10 minutes, scrubbed by mouse drag, plays across segment boundaries at 4×', async () => {
    const { page, errors } = police;
    await login(page, world.server.url, 'congan');
    await page.goto(`${world.server.url}/recordings/${cameraId}`);
    await page.getByRole('button', { name: '10 phút' }).click();
    const bar = page.locator('[data-testid="rec-timeline"]');
    await expect.poll(() => bar.locator('.rec-span').count()).toBeGreaterThan(0);
    const min = Number(await bar.getAttribute('aria-valuemin'));
    const max = Number(await bar.getAttribute('aria-valuemax'));
    expect(max - min).toBe(600_000);

    // Drag from the middle of the recorded span towards its start, release 30 s into it.
    const span = (await bar.locator('.rec-span').first().boundingBox())!;
    const box = (await bar.boundingBox())!;
    const firstSeg = (await world.server.store.recordings.overlapping(cameraId, 0, Date.now()))[0]!;
    const target = firstSeg.startAt + 9_000;
    const xOf = (ms: number) => box.x + ((ms - min) / (max - min)) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(span.x + span.width * 0.9, y);
    await page.mouse.down();
    await page.mouse.move(span.x + span.width * 0.5, y, { steps: 6 });
    await page.mouse.move(xOf(target), y, { steps: 6 });
    await page.mouse.up();
    // The playhead stays where the mouse let go.
    const head = (await page.locator('[data-testid="rec-playhead"]').boundingBox())!;
    expect(Math.abs(head.x + head.width / 2 - xOf(target))).toBeLessThan(15);

    const video = page.locator('[data-testid="rec-video"]');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth).catch(() => 0), { timeout: 30_000 }).toBe(640);
    await page.getByLabel('Tốc độ phát').selectOption('4');
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    // Playback runs on through ≥ 3 recording segments (one file concatenated from the index).
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(t0 + 3 * SEGMENT_S);
    expect(await video.evaluate((v: HTMLVideoElement) => v.playbackRate)).toBe(4);
    await screenshot(page, 'police-recording-timeline-10min');
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('an event mark is a 24 px target that plays from the event', async () => {
    const { page } = police;
    const mark = page.locator('.rec-event').first();
    await expect.poll(() => mark.count()).toBe(1);
    const b = (await mark.boundingBox())!;
    expect(b.width).toBeGreaterThanOrEqual(24);
    expect(b.height).toBeGreaterThanOrEqual(24);
    // Hovering the mark previews the event (its label and time) before a click commits to it.
    await mark.hover();
    await expect.poll(() => page.locator('[data-testid="rec-hover"]').textContent()).toMatch(/^Người · \d{2}:\d{2}:\d{2}$/);
    await screenshot(page, 'recordings-hover-preview');
    await mark.click();
    const cursor = page.locator('[data-testid="rec-cursor"]');
    await expect.poll(async () => (await cursor.textContent()) ?? '').not.toBe('');
    const video = page.locator('[data-testid="rec-video"]');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(0);
  });
});
