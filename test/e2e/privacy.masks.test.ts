import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { seedEvent } from './support/seed.js';
import { addSimCamera, login, startWorld, type World } from './support/world.js';

const run = promisify(execFile);

/** What a person sees of an element (a screenshot of it), decoded by ffmpeg to 160×90 grey levels. */
async function seenGrey(png: Buffer, file: string): Promise<Buffer> {
  writeFileSync(file, png);
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 1 << 20,
  });
  return stdout;
}
/** Mean grey level of a small square around a frame-relative point. */
function meanAround(grey: Buffer, x: number, y: number): number {
  let sum = 0;
  let n = 0;
  for (let dy = -4; dy <= 4; dy++)
    for (let dx = -6; dx <= 6; dx++) {
      sum += grey[(Math.round(y * 90) + dy) * 160 + Math.round(x * 160) + dx]!;
      n++;
    }
  return sum / n;
}

/**
 * Issue 17 item 6 as people live it: a technician draws a privacy mask on the camera's picture
 * with the mouse and saves it; a resident opening a shared event of that camera sees the area
 * black in the snapshot, while the police officer sees what the camera saw.
 */
describeBrowser('privacy mask drawn by a technician, seen by a resident and by the police', () => {
  let world: World;
  let sim: SimulatedCamera;
  let cameraId: number;
  let eventId: number;
  let session: BrowserSession | undefined;
  const outDir = () => path.join(world.server.config.dataDir, 'seen');

  beforeAll(async () => {
    world = await startWorld({ detect: { fps: 1, workers: 1 } });
    mkdirSync(outDir(), { recursive: true });
    ({ sim, cameraId } = await addSimCamera(
      world,
      'Cổng nhà văn hóa ấp Đông',
      { source: { kind: 'pattern' }, width: 640, height: 360, fps: 10 },
      { defaultVisibility: 'shared' },
    ));
    // A shared event of this camera with a snapshot taken from the camera's own picture.
    const ev = await seedEvent(world.server.store, { cameraId, areaId: world.areas.hamlet.id, at: Date.now() - 60_000, visibility: 'shared' });
    eventId = ev.id;
    const snap = `snapshots/${cameraId}/event-${ev.id}-best.jpg`;
    mkdirSync(path.join(world.server.config.dataDir, path.dirname(snap)), { recursive: true });
    await run('ffmpeg', [
      '-v',
      'error',
      '-rtsp_transport',
      'tcp',
      '-i',
      sim.rtspUrl,
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-y',
      path.join(world.server.config.dataDir, snap),
    ]);
    await world.server.store.events.update(ev.id, { snapshotPath: snap });
  }, 120_000);
  screenshotOnFailure(() => [session?.page]);
  afterAll(async () => {
    await session?.close();
    await world?.server.stop();
    await sim?.stop();
  });

  it('the technician draws a privacy mask with the mouse and saves it', async () => {
    session = await openBrowser({ width: 1280, height: 900 });
    const { page, errors } = session;
    await login(page, world.server.url, 'kythuat');
    await page.goto(`${world.server.url}/cameras/${cameraId}?tab=zones`);
    await expect.poll(() => page.locator('.editor-stage img').count(), { timeout: 40_000 }).toBe(1);
    await page.getByRole('button', { name: 'Vẽ vùng che riêng tư' }).click();
    const box = (await page.locator('[data-testid="polygon-canvas"]').boundingBox())!;
    for (const [x, y] of [
      [0.2, 0.2],
      [0.55, 0.2],
      [0.55, 0.75],
      [0.2, 0.75],
    ] as const) {
      await page.mouse.click(box.x + x * box.width, box.y + y * box.height);
    }
    await page.locator('[data-testid="finish-shape"]').click();
    const row = page.locator('.shape-list li[data-shape="privacy"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.chip').textContent()).toBe('Vùng che riêng tư');
    expect(await row.getByRole('combobox', { name: 'Che với ai' }).inputValue()).toBe('residents');
    await screenshot(page, 'privacy-mask-drawn');
    await page.locator('[data-testid="save-zones"]').click();
    await expect.poll(() => page.locator('[data-testid="zones-saved"]').count(), { timeout: 15_000 }).toBe(1);
    const saved = (await world.server.store.cameras.get(cameraId))!.settings.privacyMasks;
    expect(saved).toHaveLength(1);
    expect(saved[0]!.hide).toBe('residents');
    expect(saved[0]!.points[0]![0]).toBeCloseTo(0.2, 1);
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  for (const who of [
    { user: 'todan', masked: true },
    { user: 'congan', masked: false },
  ]) {
    it(`${who.user} opens the event: the masked area is ${who.masked ? 'black' : 'the picture'}`, async () => {
      await session?.close();
      session = await openBrowser({ width: 1280, height: 900 });
      const { page, errors } = session;
      await login(page, world.server.url, who.user);
      await page.goto(`${world.server.url}/events/${eventId}`);
      const img = page.locator('img.snapshot');
      await img.scrollIntoViewIfNeeded();
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), { timeout: 20_000 }).toBe(true);
      const grey = await seenGrey(await img.screenshot(), path.join(outDir(), `${who.user}.png`));
      await screenshot(page, `privacy-mask-event-${who.user}`);
      const inside = meanAround(grey, 0.37, 0.47);
      const outside = meanAround(grey, 0.75, 0.47);
      expect(outside).toBeGreaterThan(45);
      if (who.masked) expect(inside).toBeLessThan(30);
      else expect(inside).toBeGreaterThan(45);
      expect(unexpectedErrors(errors)).toEqual([]);
    });
  }

  it("the technician sets the camera's own events to raise events of their own for two topics", async () => {
    await session?.close();
    session = await openBrowser({ width: 1280, height: 900 });
    const { page, errors } = session;
    await login(page, world.server.url, 'kythuat');
    await page.goto(`${world.server.url}/cameras/${cameraId}?tab=rules`);
    const form = page.locator('[data-testid="camera-events-form"]');
    await form.scrollIntoViewIfNeeded();
    await form.getByLabel('Nhận sự kiện của camera', { exact: false }).check();
    await form.getByRole('radio', { name: 'Tạo sự kiện riêng', exact: false }).check();
    await form.getByLabel('Loại sự kiện được tính', { exact: false }).fill('CellMotionDetector\nTamper');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => form.getByRole('status').count(), { timeout: 15_000 }).toBe(1);
    const saved = (await world.server.store.cameras.get(cameraId))!.settings;
    expect(saved.cameraEvents).toMatchObject({ subscribe: true, action: 'event', topics: ['CellMotionDetector', 'Tamper'] });
    // the privacy mask drawn before is still there
    expect(saved.privacyMasks).toHaveLength(1);
    await screenshot(page, 'camera-events-form');
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });
});
