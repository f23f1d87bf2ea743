import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, type BrowserSession } from './support/browser.js';
import { seedCamera, seedClipEvent } from './support/clips.js';
import { login, startWorld, type World } from './support/world.js';

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(fg: string, bg: string): number {
  const lum = (c: string) => {
    const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

/**
 * Rough edges of issue 15 item 5, checked as a person meets them: the password reset is a
 * masked form that refuses two different entries; the audit log reads in Vietnamese; a resident
 * sees no police-only chips; the "trực tuyến" badge is readable (≥ 4.5:1).
 */
describeBrowser('rough edges of the panel', () => {
  let world: World;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    world = await startWorld();
  });
  screenshotOnFailure(() => [session?.page]);
  afterAll(async () => {
    await session?.close();
    await world?.server.stop();
  });

  it('admin resets a password in a masked form (no prompt), and the audit log names it in Vietnamese', async () => {
    session = await openBrowser({ width: 1366, height: 768 });
    const { page } = session;
    page.on('dialog', (d) => void d.dismiss().then(() => expect.fail(`unexpected dialog: ${d.message()}`)));
    await login(page, world.server.url, 'quantri');
    await page.goto(`${world.server.url}/admin/users`);
    await page.getByRole('button', { name: 'Đặt lại mật khẩu cho todan', exact: true }).click();
    expect(await page.locator('#reset-pw').getAttribute('type')).toBe('password');
    await page.locator('#reset-pw').fill('mật-khẩu-mới-2026');
    await page.locator('#reset-pw-again').fill('mật-khẩu-khác');
    await expect.poll(() => page.locator('#reset-pw-mismatch').textContent()).toBe('Hai mật khẩu không giống nhau.');
    await page.locator('#reset-pw-again').fill('mật-khẩu-mới-2026');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => page.locator('#reset-pw').count()).toBe(0);
    const r = await fetch(`${world.server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: world.server.url },
      body: JSON.stringify({ username: 'todan', password: 'mật-khẩu-mới-2026' }),
    });
    expect(r.status).toBe(200);

    await page.goto(`${world.server.url}/admin/audit`);
    const actions = page.locator('table.audit tbody tr td:nth-child(4)');
    await expect.poll(() => actions.allTextContents()).toContain('Đặt lại mật khẩu');
    expect((await actions.allTextContents()).filter((a) => /^[a-z]+(\.[a-z_]+)+$/.test(a))).toEqual([]);
    expect(await page.locator('table.audit tbody').textContent()).not.toMatch(/\{"/);
    await screenshot(page, 'admin-audit-translated');
  });

  it('a resident sees no pinned or shared chips; the online badge is readable', async () => {
    const cameraId = await seedCamera(world.server.store, world.areas.hamlet.id, 'Ngõ 7');
    const { eventId } = await seedClipEvent(world.server.store, world.server.config.dataDir, {
      areaId: world.areas.hamlet.id,
      cameraId,
      size: '320x180',
      seconds: 3,
    });
    await world.server.store.events.update(eventId, { pinned: true });
    await session?.close();
    session = await openBrowser({ width: 360, height: 800 });
    const { page } = session;
    await login(page, world.server.url, 'todan', 'mật-khẩu-mới-2026');
    await page.goto(`${world.server.url}/events/${eventId}`);
    await expect.poll(() => page.locator('[data-testid="clip-play"]').count()).toBe(1);
    const meta = (await page.locator('.event-meta').textContent()) ?? '';
    expect(meta).not.toContain('đã ghim');
    expect(meta).not.toContain('đã chia sẻ');
    expect(await page.locator('.clip-info').textContent()).not.toContain('đã ghim');

    const colours = await page.evaluate(() => {
      const b = document.createElement('span');
      b.className = 'badge online';
      b.textContent = 'trực tuyến';
      document.body.append(b);
      const s = getComputedStyle(b);
      return { fg: s.color, bg: s.backgroundColor };
    });
    expect(contrast(colours.fg, colours.bg)).toBeGreaterThanOrEqual(4.5);
  });

  it('date and time fields say what is wrong under the field, and a bad time never reaches an export', async () => {
    const cameraId = await seedCamera(world.server.store, world.areas.hamlet.id, 'Ngõ 8');
    const { eventId } = await seedClipEvent(world.server.store, world.server.config.dataDir, {
      areaId: world.areas.hamlet.id,
      cameraId,
      size: '320x180',
      seconds: 3,
    });
    await session?.close();
    session = await openBrowser({ width: 1920, height: 1080 });
    const { page } = session;
    await login(page, world.server.url, 'congan');
    await page.goto(`${world.server.url}/events`);
    const from = page.getByLabel('Từ ngày');
    await from.fill('31/02/2026');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: '"31/02/2026" không phải ngày hợp lệ' }).isVisible()).toBe(true);
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await from.fill('01/02/2026');
    await expect.poll(() => page.getByText('không phải ngày hợp lệ').count()).toBe(0);

    await page.goto(`${world.server.url}/events/${eventId}`);
    await page.getByText('Xuất video làm chứng cứ', { exact: true }).click();
    await page.getByLabel('Từ giờ').fill('25:61');
    await expect.poll(() => page.getByText('"25:61" không phải giờ hợp lệ').isVisible()).toBe(true);
    await page.getByLabel('Lý do xuất').fill('Kiểm tra nhập giờ sai');
    await page.getByRole('button', { name: 'Xuất video', exact: true }).click();
    await page.waitForTimeout(500); // a request, if one were sent, would be on its way
    expect(await world.server.store.db('clips').where({ kind: 'export' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    await screenshot(page, 'export-bad-time');
  });
});
