import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebhookReceiver } from '../integration/notify.receiver.js';
import { describeBrowser, openBrowser, screenshot, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { login, startWorld, type World } from './support/world.js';

/**
 * Issue 14 in Chromium: the control panel is an installable web app (manifest, icons, service
 * worker, no installability errors), each user sets their own notification rules, and the
 * admin registers a webhook (the secret shown once), sends a test and retries a dead letter.
 */
describeBrowser('notifications in Chromium', () => {
  let world: World;
  let secret = '';
  const receiver = new WebhookReceiver(() => secret);
  const sessions: BrowserSession[] = [];
  const open = async () => {
    const s = await openBrowser();
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    world = await startWorld({ cameraNetwork: { allow: ['127.0.0.0/8'] } });
    await receiver.start();
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    await receiver.stop();
    await world?.server.stop();
  });

  it('is installable: manifest with icons, an active service worker, no installability errors', async () => {
    const { page, context, errors } = await open();
    await login(page, world.server.url, world.users.police.username);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${world.server.url}/`);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')!.getAttribute('href')!;
      return (await fetch(href)).json() as Promise<{ display: string; icons: { sizes: string }[] }>;
    });
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('a police officer changes their own rules; the page says what is saved', async () => {
    const { page, errors } = await open();
    await login(page, world.server.url, world.users.police.username);
    await page.getByRole('link', { name: 'Báo về điện thoại' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Báo về điện thoại');
    await expect.poll(() => page.getByText('Đang dùng thiết lập mặc định theo vai trò của bạn.').count()).toBe(1);
    await page.getByLabel('Cảnh báo được cập nhật').uncheck();
    await page.getByLabel('Giờ yên tĩnh (chỉ gửi cảnh báo mức cao)').check();
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Đã lưu.' }).count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByText('Đã lưu thiết lập riêng.').count()).toBe(1);
    expect(await page.getByLabel('Cảnh báo được cập nhật').isChecked()).toBe(false);
    const saved = await world.server.store.notify.rules(world.users.police.id);
    expect(saved).toMatchObject({ quietHours: { from: '22:00', to: '06:00' } });
    expect(saved!.kinds).not.toContain('alert.updated');
    await screenshot(page, 'notify-rules');
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('the admin adds a webhook (bad URL refused, secret shown once), tests it and retries a dead letter', async () => {
    const { page, errors } = await open();
    await login(page, world.server.url, world.users.admin.username);
    await page.getByRole('link', { name: 'Kênh thông báo' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kênh thông báo');
    await page.locator('#endpoint-name').fill('Node-RED');
    await page.locator('#endpoint-url').fill('ftp://127.0.0.1/hook');
    await page.getByRole('button', { name: 'Thêm địa chỉ' }).click();
    await expect.poll(() => page.locator('[role="alert"]').first().textContent()).toContain('Địa chỉ webhook không hợp lệ');
    await page.locator('#endpoint-url').fill(receiver.url);
    await page.getByRole('button', { name: 'Thêm địa chỉ' }).click();
    await expect.poll(() => page.locator('[data-testid="endpoint-secret"]').count()).toBe(1);
    secret = (await page.locator('[data-testid="endpoint-secret"]').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Gửi thử' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Gửi thử thành công' }).count()).toBe(1);
    expect(receiver.received[0]).toMatchObject({ verified: true, kind: 'announcement' });

    // A delivery that gave up earlier (its row made dead here), then the retry button.
    const store = world.server.store;
    await store.outbox.enqueue({
      kind: 'camera.offline',
      key: 'e2e:dead',
      cameraId: null,
      areaId: null,
      severity: 'high',
      label: null,
      visibility: 'internal',
      payload: {},
      at: Date.now(),
    });
    await expect.poll(async () => (await store.outbox.deliveries({ channel: 'webhook' }, 10)).some((d) => d.notification.key === 'e2e:dead')).toBe(true);
    await expect.poll(() => receiver.keys().includes('e2e:dead')).toBe(true);
    const d = (await store.outbox.deliveries({ channel: 'webhook' }, 10)).find((x) => x.notification.key === 'e2e:dead')!;
    await store.db('notify_deliveries').where({ id: d.id }).update({ state: 'dead', attempts: 12, last_error: 'HTTP 500' });
    await page.reload();
    await page.getByRole('button', { name: 'Gửi lại' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Đã đưa vào hàng đợi gửi lại.' }).count()).toBe(1);
    await expect.poll(() => receiver.keys().filter((k) => k === 'e2e:dead').length).toBe(2);
    await screenshot(page, 'notify-admin');
    expect(unexpectedErrors(errors, [400, 401, 403, 404])).toEqual([]); // 400: the bad URL, on purpose
  });
});
