import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { seedCamera, seedClipEvent } from './support/clips.js';
import { login, startWorld, type World } from './support/world.js';
import { recordSegments } from '../integration/events.fixture.js';

const videoState = (page: Page) =>
  page
    .locator('[data-testid="clip-video"]')
    .evaluate((v: HTMLVideoElement) => ({ t: v.currentTime, d: v.duration, paused: v.paused, w: v.videoWidth, h: v.videoHeight }));

/**
 * The clip player (issue 15 item 4): a 4:3 and a 16:9 clip at 1920 and at 360 px. The box
 * follows the video's aspect, the whole control bar is on screen, and the user plays, pauses,
 * seeks (click and drag on the visible bar), steps a frame, seeks by keyboard and saves a frame,
 * all with the mouse and keys as a person does. A clip still being cut swaps in when ready.
 */
describeBrowser('the clip player', () => {
  let world: World;
  let session: BrowserSession | undefined;
  const clips: Record<string, number> = {};

  beforeAll(async () => {
    world = await startWorld();
    const cameraId = await seedCamera(world.server.store, world.areas.hamlet.id, 'Ngõ 4 chợ Đông');
    for (const size of ['640x480', '640x360']) {
      clips[size] = (
        await seedClipEvent(world.server.store, world.server.config.dataDir, { areaId: world.areas.hamlet.id, cameraId, size, seconds: 20 })
      ).eventId;
    }
  });
  screenshotOnFailure(() => [session?.page]);
  afterAll(async () => {
    await session?.close();
    await world?.server.stop();
  });

  const cases = [
    { width: 1920, height: 1080, user: 'congan' },
    { width: 360, height: 800, user: 'todan' },
  ];
  for (const vp of cases) {
    for (const size of ['640x480', '640x360']) {
      it(`${size} clip at ${vp.width} px: fits, controls on screen and used by mouse and keys`, async () => {
        await session?.close();
        session = await openBrowser({ width: vp.width, height: vp.height });
        const { page, errors } = session;
        await login(page, world.server.url, vp.user);
        await page.goto(`${world.server.url}/events/${clips[size]}`);
        await page.locator('[data-testid="clip-play"]').click();
        await expect.poll(async () => (await videoState(page)).t, { timeout: 30_000 }).toBeGreaterThan(0.3);
        const s = await videoState(page);
        const [w, h] = size.split('x').map(Number);
        expect([s.w, s.h]).toEqual([w, h]);

        // The picture box has the video's aspect; the bar is inside the viewport, not cropped.
        const screenBox = (await page.locator('.vp-screen').boundingBox())!;
        expect(Math.abs(screenBox.width / screenBox.height - w! / h!)).toBeLessThan(0.03);
        const bar = page.locator('.vp-bar');
        await bar.scrollIntoViewIfNeeded();
        const barBox = (await bar.boundingBox())!;
        expect(barBox.x).toBeGreaterThanOrEqual(0);
        expect(barBox.x + barBox.width).toBeLessThanOrEqual(vp.width);
        for (const name of ['vp-play', 'vp-seek']) {
          const b = (await page.locator(`[data-testid="${name}"]`).boundingBox())!;
          expect(b.x + b.width).toBeLessThanOrEqual(vp.width);
          expect(b.height).toBeGreaterThanOrEqual(24);
        }

        // Pause and play with the button.
        await page.locator('[data-testid="vp-play"]').click();
        await expect.poll(async () => (await videoState(page)).paused).toBe(true);
        await page.locator('[data-testid="vp-play"]').click();
        await expect.poll(async () => (await videoState(page)).paused).toBe(false);
        await page.locator('[data-testid="vp-play"]').click();
        await expect.poll(async () => (await videoState(page)).paused).toBe(true);

        // Click at 75 % of the visible seek bar, then drag from 20 % to 50 %.
        const seek = (await page.locator('[data-testid="vp-seek"]').boundingBox())!;
        const y = seek.y + seek.height / 2;
        await page.mouse.click(seek.x + seek.width * 0.75, y);
        await expect.poll(async () => (await videoState(page)).t / s.d).toBeCloseTo(0.75, 1);
        await page.mouse.move(seek.x + seek.width * 0.2, y);
        await page.mouse.down();
        await page.mouse.move(seek.x + seek.width * 0.35, y, { steps: 5 });
        await page.mouse.move(seek.x + seek.width * 0.5, y, { steps: 5 });
        await page.mouse.up();
        await expect.poll(async () => (await videoState(page)).t / s.d).toBeCloseTo(0.5, 1);

        // Frame step forward (0.1 s at this clip's 10 fps), then 5 s back by keyboard.
        const before = (await videoState(page)).t;
        await page.getByRole('button', { name: 'Tới một khung hình' }).click();
        await expect.poll(async () => (await videoState(page)).t - before).toBeGreaterThan(0.02);
        expect((await videoState(page)).t - before).toBeLessThan(0.5);
        await page.locator('[data-testid="vp-seek"]').focus();
        const beforeKey = (await videoState(page)).t;
        await page.keyboard.press('ArrowLeft');
        await expect.poll(async () => beforeKey - (await videoState(page)).t).toBeCloseTo(5, 0);

        // Save the frame on screen.
        const download = page.waitForEvent('download');
        await page.getByRole('button', { name: 'Lưu ảnh khung hình' }).click();
        expect((await download).suggestedFilename()).toMatch(/^clip-\d+-[\d.]+s\.jpg$/);
        await screenshot(page, `player-${size}-${vp.width}`);
        expect(unexpectedErrors(errors)).toEqual([]);
      });
    }
  }

  it('a clip still being cut shows its progress, plays the recording from the event meanwhile, and swaps in by itself when ready', async () => {
    await session?.close();
    session = await openBrowser({ width: 1366, height: 768 });
    const { page } = session;
    const cameraId = await seedCamera(world.server.store, world.areas.hamlet.id, 'Ngõ 5');
    const pending = await seedClipEvent(world.server.store, world.server.config.dataDir, {
      areaId: world.areas.hamlet.id,
      cameraId,
      size: '640x360',
      seconds: 4,
      ready: false,
    });
    // The continuous recording around the event: 10 s before the clip's start to 10 s after.
    const clipStart = (await world.server.store.clips.get(pending.clipId))!.startAt;
    await recordSegments(world.server.store, world.server.config.dataDir, cameraId, clipStart - 10_000, 12, 2);
    await login(page, world.server.url, 'congan');
    await page.goto(`${world.server.url}/events/${pending.eventId}`);
    await expect.poll(() => page.locator('[data-testid="clip-pending"] progress').count()).toBe(1);
    expect(await page.locator('[data-testid="clip-play"]').count()).toBe(0);
    await expect.poll(() => page.getByText('Đang phát bản ghi lúc xảy ra sự kiện').isVisible(), { timeout: 30_000 }).toBe(true);
    const fallback = page.locator('[data-testid="clip-fallback"]');
    await fallback.locator('[data-testid="vp-play"]').click();
    const recordingTime = () => fallback.locator('video').evaluate((v: HTMLVideoElement) => ({ t: v.currentTime, w: v.videoWidth }));
    // It starts at the clip's start (10 s into the recording window), not at the window's start.
    await expect.poll(async () => (await recordingTime()).t, { timeout: 30_000 }).toBeGreaterThan(10.3);
    expect((await recordingTime()).w).toBeGreaterThan(0);
    await screenshot(page, 'clip-pending-recording-fallback');

    await pending.readyUp();
    // The clip swaps in by itself and keeps playing, since the officer was watching.
    await expect.poll(() => page.locator('[data-testid="clip-video"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-testid="clip-fallback"]').count()).toBe(0);
    await expect.poll(async () => (await videoState(page)).t, { timeout: 30_000 }).toBeGreaterThan(0.3);
  });
});
