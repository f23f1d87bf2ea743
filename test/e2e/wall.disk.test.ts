import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openBrowser, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { login, startWorld, type World } from './support/world.js';

/**
 * Issue 19 item 2 as the police see it: the recordings disk going below its free-space floor
 * is an alert on the wall, about the server (no camera), even with an area chosen; when space
 * is back the system resolves it and it leaves the list of open alerts.
 */
describeBrowser('wall: the recordings disk nearly full', () => {
  let world: World;
  let browser: BrowserSession;

  beforeAll(async () => {
    world = await startWorld({ retention: { minFreeGb: 0.001 } });
    browser = await openBrowser({ width: 1600, height: 900 });
  });
  screenshotOnFailure(() => [browser?.page]);
  afterAll(async () => {
    await browser?.close();
    await world?.server.stop();
  });

  const setFloor = async (gb: number) => {
    world.server.config.retention.minFreeGb = gb;
    await world.server.retention.sweep();
  };

  it('shows a system alert naming the server, in every area, until space is back', async () => {
    const { page, errors } = browser;
    await login(page, world.server.url, 'congan');
    await expect.poll(() => page.url()).toMatch(/\/wall$/);
    await page.waitForTimeout(500); // subscribed
    await page.locator('#wall-area').selectOption(String(world.areas.hamlet.id));

    await setFloor(1_000_000);
    const card = page.locator('.alert-card', { hasText: 'Ổ đĩa ghi hình sắp đầy' });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.locator('.alert-where').innerText()).toBe('Máy chủ');
    expect(await card.getAttribute('data-state')).toBe('new');

    await setFloor(0.001);
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(0); // resolved: no longer open
    await page.locator('#wall-alertstate').selectOption('resolved');
    await expect.poll(() => card.count()).toBe(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
