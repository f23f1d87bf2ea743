import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { login, startWorld, type World } from './support/world.js';

const CAM_USER = 'admin';
const CAM_PASS = 'Camera-Pass-7';

interface StoredSettings {
  rules?: { zones?: { id: string; name: string; polygon: [number, number][] }[] };
  motion?: { masks?: [number, number][][] };
}

/**
 * The technician's journey against the ONVIF simulator (WS-Discovery answered by a directed
 * probe on loopback: no multicast leaves the machine) fronting a real RTSP server:
 * discover → probe with credentials → test frame → register → draw a zone (mouse) and a
 * mask (keyboard only) on the picture → save.
 */
describeBrowser('technician journey: discover, probe, register, draw zones', () => {
  let world: World;
  let simcam: SimulatedCamera;
  let onvif: OnvifSimulator;
  let browser: BrowserSession;

  beforeAll(async () => {
    // Stats sampled every second, so the health charts' server-side history fills within the journey.
    world = await startWorld({ ingest: { statsPushMs: 1000, statsHistoryMs: 1000 } });
    simcam = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, user: CAM_USER, password: CAM_PASS });
    await simcam.start();
    // Its event service answers broken XML: the probe still succeeds and says so in Vietnamese.
    onvif = await new OnvifSimulator({
      username: CAM_USER,
      password: CAM_PASS,
      streamUri: simcam.rtspUrl,
      ptz: true,
      faults: { GetEventProperties: 'malformed' },
    }).start();
    browser = await openBrowser({ width: 1280, height: 900 });
  });
  screenshotOnFailure(() => [browser?.page]);
  afterAll(async () => {
    await browser?.close();
    await onvif?.stop();
    await simcam?.stop();
    await world?.server.stop();
  });

  it('finds the simulator, probes it, sees the test frame and registers the camera', async () => {
    const { page, errors } = browser;
    await login(page, world.server.url, 'kythuat');
    await expect.poll(() => page.url()).toMatch(/\/cameras$/);
    await page.locator('[data-testid="add-camera"]').click();
    await page.locator('#disc-targets').fill(`127.0.0.1:${onvif.discoveryPort}`);
    await page.locator('[data-testid="discover-submit"]').click();
    const device = page.locator(`[data-endpoint="${onvif.endpoint}"]`);
    await expect.poll(() => device.count(), { timeout: 20_000 }).toBe(1);
    expect(await device.textContent()).toContain('Cong truoc nha');
    await screenshot(page, 'technician-discovered');
    await device.getByRole('button', { name: 'Chọn' }).click();
    expect(await page.locator('#probe-target').inputValue()).toBe(onvif.deviceServiceUrl);

    // A wrong password first: the camera's refusal is shown in Vietnamese.
    await page.locator('#probe-user').fill(CAM_USER);
    await page.locator('#probe-pass').fill('not-the-password');
    await page.locator('[data-testid="probe-submit"]').click();
    await expect
      .poll(() => page.locator('#probe-title ~ form [role="alert"]').textContent(), { timeout: 30_000 })
      .toMatch(/^Camera từ chối tên đăng nhập hoặc mật khẩu/);

    await page.locator('#probe-pass').fill(CAM_PASS);
    await page.locator('[data-testid="probe-submit"]').click();
    // The spinner with its limit shows while the probe runs (or the answer was already there).
    await expect
      .poll(
        async () =>
          (await page
            .locator('.busy-line')
            .filter({ hasText: /Đang kết nối… \d+\/30 giây/ })
            .count()) + (await page.locator('[data-testid="probe-result"]').count()),
        { timeout: 5_000 },
      )
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="probe-result"] tbody tr').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('[data-testid="probe-result"]').textContent()).toContain('BinhYenSim IPC-SIM-2MP');
    expect(await page.locator('[data-testid="probe-warnings"]').textContent()).toContain('GetEventProperties: camera trả lời sai định dạng, đã bỏ qua');

    await page.locator('[data-testid="test-frame"]').click();
    const frame = page.locator('[data-testid="test-frame-image"]');
    await expect.poll(() => frame.count(), { timeout: 30_000 }).toBe(1);
    expect(await frame.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, 'technician-probed');

    await page.locator('#cam-name').fill('Cổng trước nhà ông Tư');
    await page.locator('#cam-area').selectOption({ label: '\u00a0\u00a0Ấp Đông' });
    await page.locator('#cam-owner').fill('Nguyễn Văn Tư');
    await page.locator('#cam-owner-kind').selectOption('resident');
    await page.locator('#cam-lat').fill('16.4637');
    await page.locator('#cam-lon').fill('107.5909');
    await page.locator('[data-testid="register-camera"]').click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/cameras\/\d+\?tab=zones$/);
    const cams = await world.server.store.cameras.list();
    expect(cams).toHaveLength(1);
    expect(cams[0]).toMatchObject({
      name: 'Cổng trước nhà ông Tư',
      areaId: world.areas.hamlet.id,
      latitude: 16.4637,
      longitude: 107.5909,
      onvifUrl: onvif.deviceServiceUrl,
    });
    expect(cams[0]!.credentialsEnc).not.toBeNull();
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  it('draws a detection zone with the mouse and a mask with the keyboard, and saves them', async () => {
    const { page, errors } = browser;
    const canvas = page.locator('[data-testid="polygon-canvas"]');
    await expect.poll(() => page.locator('.editor-stage img').count(), { timeout: 40_000 }).toBe(1);
    expect(await page.locator('.editor-stage img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

    await page.locator('[data-testid="add-zone"]').click();
    const box = (await canvas.boundingBox())!;
    for (const [x, y] of [
      [0.1, 0.5],
      [0.6, 0.45],
      [0.9, 0.95],
      [0.15, 0.95],
    ] as const) {
      await page.mouse.click(box.x + x * box.width, box.y + y * box.height);
    }
    await page.locator('[data-testid="finish-shape"]').click();
    await page.locator('.shape-list input').fill('Lối vào sân');

    await page.locator('[data-testid="add-mask"]').click();
    await canvas.focus();
    const press = async (key: string, times = 1) => {
      for (let i = 0; i < times; i++) await page.keyboard.press(key);
    };
    await press('Shift+ArrowLeft', 8); // cross from (0.5, 0.5) to (0.1, 0.5)
    await press('Shift+ArrowUp', 8); // → (0.1, 0.1)
    await press('Enter');
    await press('Shift+ArrowRight', 4); // → (0.3, 0.1)
    await press('Enter');
    await press('Shift+ArrowDown', 2); // → (0.3, 0.2)
    await press('Enter');
    await press('f');
    await expect.poll(() => page.locator('.shape-list li').count()).toBe(2);
    await screenshot(page, 'technician-zones');

    await page.locator('[data-testid="save-zones"]').click();
    await expect.poll(() => page.locator('[data-testid="zones-saved"]').count(), { timeout: 15_000 }).toBe(1);
    const cam = (await world.server.store.cameras.list())[0]!;
    const settings = cam.settings as StoredSettings;
    expect(settings.rules?.zones).toHaveLength(1);
    expect(settings.rules!.zones![0]!.name).toBe('Lối vào sân');
    expect(settings.rules!.zones![0]!.polygon).toHaveLength(4);
    expect(settings.rules!.zones![0]!.polygon[0]![0]).toBeCloseTo(0.1, 1);
    expect(settings.motion?.masks).toEqual([
      [
        [0.1, 0.1],
        [0.3, 0.1],
        [0.3, 0.2],
      ],
    ]);
    await screenshot(page, 'technician-zones-saved');
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  it('at 1366×768 and 768 px wide the picture and Save fit the screen; a half-drawn mask survives a tab switch and a resize, and is never reported saved', async () => {
    const { page, errors } = browser;
    const canvas = page.locator('[data-testid="polygon-canvas"]');
    const save = page.locator('[data-testid="save-zones"]');
    const finish = page.locator('[data-testid="finish-shape"]');
    const inView = async () => {
      const [c, b] = [(await canvas.boundingBox())!, (await save.boundingBox())!];
      const vp = page.viewportSize()!;
      return c.x + c.width <= vp.width && b.y >= 0 && b.y + b.height <= vp.height && c.y + c.height <= b.y;
    };
    for (const size of [
      { width: 1366, height: 768 },
      { width: 768, height: 1024 },
    ]) {
      await page.setViewportSize(size);
      await page.evaluate(() => window.scrollTo(0, 0));
      await expect.poll(inView, { message: `editor and Save on screen at ${size.width}×${size.height}` }).toBe(true);
      await screenshot(page, `technician-zones-${size.width}`);
    }

    await page.locator('[data-testid="add-mask"]').click();
    let box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + 0.6 * box.width, box.y + 0.6 * box.height);
    await page.mouse.click(box.x + 0.8 * box.width, box.y + 0.6 * box.height);
    await expect.poll(() => finish.textContent()).toBe('Hoàn tất (2 điểm)');
    await page.getByRole('tab', { name: 'Quy tắc' }).click();
    await expect.poll(() => finish.count()).toBe(0);
    await page.getByRole('tab', { name: 'Vùng' }).click();
    await expect.poll(() => finish.textContent()).toBe('Hoàn tất (2 điểm)');
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(() => finish.textContent()).toBe('Hoàn tất (2 điểm)');

    await save.click();
    await expect.poll(() => page.locator('[data-testid="zones-unfinished"]').textContent()).toContain('Hình đang vẽ mới có dưới 3 điểm');
    expect(await page.locator('[data-testid="zones-saved"]').count()).toBe(0);
    box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + 0.8 * box.width, box.y + 0.8 * box.height);
    await finish.click();
    await save.click();
    await expect.poll(() => page.locator('[data-testid="zones-saved"]').count(), { timeout: 15_000 }).toBe(1);
    const masks = ((await world.server.store.cameras.list())[0]!.settings as StoredSettings).motion?.masks;
    expect(masks).toHaveLength(2);
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  it("shows the running camera's health: state, frame rate and the chart", async () => {
    const { page, errors } = browser;
    await page.getByRole('tab', { name: 'Tình trạng' }).click();
    await expect.poll(() => page.locator('.health-tab .badge').textContent(), { timeout: 30_000 }).toBe('trực tuyến');
    await expect
      .poll(async () => Number((await page.locator('.stats dd').first().textContent())?.split(' ')[0]?.replace(',', '.')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('.sparkline svg').count()).toBe(3);
    // The charts survive a reload: the server keeps the last hour, so lines are there at once
    // (the page's own polling would need two polls, 10 s apart, to draw one).
    await page.reload();
    await expect.poll(() => page.locator('.sparkline').first().locator('polyline').count(), { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'technician-health-after-reload');
    await page.getByRole('tab', { name: 'Tình trạng' }).focus();
    await page.keyboard.press('ArrowLeft'); // tabs move with the arrow keys
    await expect.poll(() => page.url()).toMatch(/tab=rules$/);
    await screenshot(page, 'technician-rules');
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  it('moves the PTZ camera with the keyboard and goes to a preset', async () => {
    const { page, errors } = browser;
    await page.getByRole('tab', { name: 'Thông tin' }).click();
    const pad = page.locator('[data-testid="ptz-pad"]');
    await pad.focus();
    await page.keyboard.down('ArrowLeft');
    await expect.poll(() => onvif.ptzService.state.moving, { timeout: 10_000 }).toBe(true);
    expect(onvif.ptzService.state.velocity.pan).toBeLessThan(0);
    await page.keyboard.up('ArrowLeft');
    await expect.poll(() => onvif.ptzService.state.moving, { timeout: 10_000 }).toBe(false);
    await expect.poll(() => page.locator('[data-testid="ptz-status"]').textContent()).toBe('Đã dừng.');
    await page.getByRole('button', { name: 'Đến: Cổng chính' }).click();
    await expect.poll(() => onvif.ptzService.state.position.pan, { timeout: 10_000 }).toBe(0.5);
    await screenshot(page, 'technician-ptz');
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });

  it('sets up a guard tour (off by default), starts it and stops it from the PTZ panel', async () => {
    const { page, errors } = browser;
    const status = page.locator('[data-testid="tour-status"]');
    await expect.poll(() => status.textContent()).toBe('Đang tắt.');
    await page.getByLabel('Đưa Cổng chính vào lộ trình').check();
    await page.getByLabel('Số giây dừng ở Cổng chính').fill('5');
    await page.getByRole('button', { name: 'Lưu lộ trình' }).click();
    await page.getByText('Đã lưu lộ trình tuần tra.').waitFor();
    onvif.ptzService.state.position = { pan: 0, tilt: 0, zoom: 0 };
    await page.getByRole('button', { name: 'Bắt đầu tuần tra' }).click();
    await expect.poll(() => status.textContent()).toBe('Đang tuần tra: điểm 1 trên 1.');
    await expect.poll(() => onvif.ptzService.state.position.pan, { timeout: 10_000 }).toBe(0.5);
    await page.getByRole('button', { name: 'Dừng tuần tra' }).click();
    await expect.poll(() => status.textContent()).toBe('Đang tắt.');
    expect(unexpectedErrors(errors, [404, 422])).toEqual([]);
  });
});
