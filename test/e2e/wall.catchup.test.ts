import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { trackMessage } from './support/tracks.js';
import { login, startWorld, type World } from './support/world.js';

/**
 * The wall stays correct across a lost connection: what happened while it was away (a new
 * alert, another officer's change) is caught up from its cursor when it reconnects, and the
 * list shows each alert once. Alerts are made by publishing track messages on the server's
 * bus at chosen moments (the journeys use the real detector).
 */
describeBrowser('wall: reconnect and catch-up from the cursor', () => {
  let world: World;
  let browser: BrowserSession;
  let cameraId: number;
  let burstCameraId: number;

  beforeAll(async () => {
    world = await startWorld();
    cameraId = (
      await world.server.store.cameras.create({
        name: 'Ngõ 7',
        areaId: world.areas.hamlet.id,
        ownerName: null,
        ownerKind: null,
        address: null,
        latitude: null,
        longitude: null,
        onvifUrl: null,
        credentialsEnc: null,
        streams: { detect: { url: 'rtsp://192.0.2.7/stream' } },
        settings: { rules: { alerts: { cooldownSeconds: 0 } } },
        defaultVisibility: 'internal',
        enabled: false,
        clockOffsetMs: null,
        demo: false,
      })
    ).id;
    burstCameraId = (
      await world.server.store.cameras.create({
        name: 'Chợ Bình Yên',
        areaId: world.areas.hamlet.id,
        ownerName: null,
        ownerKind: null,
        address: null,
        latitude: null,
        longitude: null,
        onvifUrl: null,
        credentialsEnc: null,
        streams: { detect: { url: 'rtsp://192.0.2.8/stream' } },
        settings: { rules: { alerts: { cooldownSeconds: 0 } } },
        defaultVisibility: 'internal',
        enabled: false,
        clockOffsetMs: null,
        demo: false,
      })
    ).id;
    browser = await openBrowser({ width: 1920, height: 1080 });
  });
  screenshotOnFailure(() => [browser?.page]);
  afterAll(async () => {
    await browser?.close();
    await world?.server.stop();
  });

  const raise = (trackNo: number, camera = cameraId) => {
    const t0 = Date.now() - 3_000;
    world.server.bus.emit('track.start', trackMessage(camera, trackNo, t0, 0.7));
    world.server.bus.emit('track.update', trackMessage(camera, trackNo, t0 + 1_500, 0.85, t0));
  };

  it('shows a live alert, then after a lost connection catches up a missed alert and a missed change, each once', async () => {
    const { page, errors } = browser;
    await login(page, world.server.url, 'congan');
    await expect.poll(() => page.url()).toMatch(/\/wall$/);
    await expect.poll(() => page.locator(`.tile[data-camera-id="${cameraId}"]`).count()).toBe(1);
    await page.waitForTimeout(500); // subscribed

    raise(1);
    const first = page.locator('.alert-card').first();
    await expect.poll(() => first.count(), { timeout: 15_000 }).toBe(1);
    const firstId = Number(await first.getAttribute('data-alert-id'));
    expect(await page.locator(`.tile[data-camera-id="${cameraId}"]`).getAttribute('class')).toContain('flash');
    expect(Number(await page.locator('section.wall').getAttribute('data-beeps'))).toBeGreaterThanOrEqual(1);

    world.server.io.disconnectSockets(true); // the wall is away for ~2 s (it checks its session, then reconnects)
    raise(2);
    const ack = await page.evaluate(
      async (id) =>
        (
          await fetch(`/api/alerts/${id}/state`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ state: 'acknowledged' }),
          })
        ).status,
      firstId,
    );
    expect(ack).toBe(200);
    await expect.poll(() => page.locator('.connection-banner:not([hidden])').count(), { timeout: 5_000 }).toBe(1);
    await screenshot(page, 'wall-catchup-banner');

    await expect.poll(() => page.locator('.connection-banner:not([hidden])').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => page.locator('.alert-card').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => page.locator(`.alert-card[data-alert-id="${firstId}"]`).getAttribute('data-state')).toBe('acknowledged');
    const ids = await page.locator('.alert-card').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alert-id'))));
    expect(ids).toHaveLength(new Set(ids).size);
    // The missed alert of the same camera joined the first one's card (a burst, issue 15): the
    // card keeps its first alert and counts two.
    expect(ids[0]).toBe(firstId);
    expect(ids[1]).toBeGreaterThan(firstId);
    expect(await page.locator(`.alert-card[data-alert-id="${firstId}"] .burst-count`).textContent()).toBe('2 cảnh báo');
    await screenshot(page, 'wall-catchup-done');
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('stays silent when muted (the choice survives a reload), and still flashes', async () => {
    const { page } = browser;
    await page.locator('[data-testid="mute"]').click();
    expect(await page.locator('[data-testid="mute"]').getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await expect.poll(() => page.locator('.alert-card').count()).toBe(2);
    expect(await page.locator('[data-testid="mute"]').textContent()).toBe('Bật tiếng');
    await page.waitForTimeout(500);
    raise(3);
    await expect.poll(() => page.locator('.alert-card').count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator(`.tile[data-camera-id="${cameraId}"]`).getAttribute('class')).toContain('flash');
    expect(Number(await page.locator('section.wall').getAttribute('data-beeps'))).toBe(0);
    await page.locator('[data-testid="mute"]').click();
    expect(await page.locator('[data-testid="mute"]').textContent()).toBe('Tắt tiếng');
  });

  it('shows a burst of people at one camera as one card with a count, which folds out to each alert and back', async () => {
    const { page, errors } = browser;
    const market = page.locator('.alert-card:visible', { hasText: 'Chợ Bình Yên' });
    for (const n of [11, 12, 13]) raise(n, burstCameraId);
    await expect.poll(() => page.locator('.alert-card', { hasText: 'Chợ Bình Yên' }).count(), { timeout: 15_000 }).toBe(3);
    expect(await market.count()).toBe(1);
    expect(await market.locator('.burst-count').textContent()).toBe('3 cảnh báo');
    await screenshot(page, 'wall-burst-folded');

    await market.getByRole('button', { name: /Xem 3 cảnh báo cùng đợt/ }).click();
    await expect.poll(() => market.count()).toBe(3);
    await screenshot(page, 'wall-burst-open');
    await page.getByRole('button', { name: 'Thu gọn đợt cảnh báo' }).click();
    await expect.poll(() => market.count()).toBe(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
