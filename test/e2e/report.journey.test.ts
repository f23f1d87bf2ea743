import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { testPhoto } from '../support/photos.js';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { addSimCamera, login, startWorld, type World } from './support/world.js';

const BODY = 'Hai thanh niên đi xe máy không biển số, đứng nhìn vào các nhà trong hẻm rất lâu.';
const PUBLIC_NOTE = 'Công an xã đã xem camera và đến hẻm kiểm tra. Cảm ơn bà con đã báo.';

/**
 * The community loop (issue 13) in the real UI: a resident on a 360 px phone files a report
 * with a photo; the police wall shows it (sound, badge, feed entry); the officer opens it, sees
 * the nearby camera's recording of that time, attaches it as evidence, posts a public note and
 * marks it handled; the resident's page shows every step as it happens, without reloading.
 */
describeBrowser('a resident reports, the police answer, the resident sees it live', () => {
  let world: World;
  let simcam: SimulatedCamera;
  let police: BrowserSession;
  let resident: BrowserSession;
  let cameraId: number;

  beforeAll(async () => {
    world = await startWorld({ detect: { workers: 1 } });
    ({ sim: simcam, cameraId } = await addSimCamera(world, 'Đầu hẻm 12', { source: { kind: 'pattern' } }));
    police = await openBrowser({ width: 1920, height: 1080 });
    resident = await openBrowser({ width: 360, height: 740 });
  });
  screenshotOnFailure(() => [police?.page, resident?.page]);
  afterAll(async () => {
    await resident?.close();
    await police?.close();
    await simcam?.stop();
    await world?.server.stop();
  });

  it('files, triages and answers a report end to end', async () => {
    // The camera records before anything happens: the footage the police will look at.
    await expect
      .poll(async () => (await world.server.store.recordings.overlapping(cameraId, Date.now() - 120_000, Date.now())).length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    const wall = police.page;
    await login(wall, world.server.url, 'congan');
    await expect.poll(() => wall.url()).toMatch(/\/wall$/);
    await wall.locator('body').click(); // a tap lets the wall play sound
    const beepsBefore = Number(await wall.locator('section.wall').getAttribute('data-beeps'));

    const phone = resident.page;
    await login(phone, world.server.url, 'todan');
    await phone.getByRole('link', { name: 'Gửi tin báo' }).click();
    await phone.locator('#report-category').selectOption('suspicious');
    await phone.locator('#report-body').fill(BODY);
    await phone.locator('#report-place').fill('Hẻm 12, gần tạp hoá bà Tư');
    await phone.locator('#report-photos').setInputFiles({ name: 'hem12.jpg', mimeType: 'image/jpeg', buffer: await testPhoto('jpeg', '640x480') });
    // Fits the phone: nothing wider than the screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(phone, 'resident-report-form-360');
    await phone.getByTestId('report-submit').click();
    const sent = phone.getByTestId('report-sent');
    await expect.poll(() => sent.textContent(), { timeout: 15_000 }).toMatch(/TB-\d{8}-\d{4}/);
    const ref = /TB-\d{8}-\d{4}/.exec((await sent.textContent())!)![0];

    // The wall: a feed entry, the badge, and a sound.
    const entry = wall.locator(`[data-testid="wall-reports"] li[data-report="${ref}"]`);
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1);
    expect(await entry.textContent()).toContain('Người, xe khả nghi');
    expect(await wall.getByTestId('report-badge').textContent()).toBe('1');
    await expect.poll(async () => Number(await wall.locator('section.wall').getAttribute('data-beeps'))).toBeGreaterThan(beepsBefore);
    await screenshot(wall, 'police-wall-report-1920x1080');

    // The resident follows the report; it updates live from here on.
    await phone.getByRole('link', { name: 'Theo dõi tin báo này' }).click();
    const phoneState = phone.locator('.page-head [data-testid="report-state"]');
    await expect.poll(() => phoneState.textContent()).toBe('Mới');
    expect(await phone.getByTestId('report-photo').count()).toBe(1);

    // Police: open it, see the camera's recording around that time, attach it as evidence.
    await entry.getByRole('link').click();
    const footage = wall.locator('[data-testid="report-footage"] li[data-camera="Đầu hẻm 12"]');
    await expect.poll(() => footage.textContent(), { timeout: 10_000 }).toMatch(/Có \d+ phút ghi hình/);
    await wall.getByTestId('report-to-received').click();
    await expect.poll(() => phoneState.textContent(), { timeout: 10_000 }).toBe('Đã tiếp nhận');
    await footage.getByTestId('footage-attach').click();
    const evidence = wall.getByTestId('report-evidence');
    await expect.poll(() => evidence.locator('[data-testid="clip-play"]').count(), { timeout: 120_000 }).toBe(1);
    await evidence.getByTestId('clip-play').click();
    await expect.poll(() => evidence.getByTestId('clip-video').count()).toBe(1);
    const clipIds = await world.server.store.db('report_evidence').select('clip_id');
    const clip = await world.server.store.clips.get(Number((clipIds[0] as { clip_id: number }).clip_id));
    expect(clip).toMatchObject({ pinned: true, kind: 'export', state: 'ready' });
    expect(clip!.sha256).toMatch(/^[0-9a-f]{64}$/);

    await wall.locator('#report-note').fill(PUBLIC_NOTE);
    await wall.getByRole('button', { name: 'Lưu ghi chú' }).click();
    await expect.poll(() => phone.getByTestId('report-notes').textContent(), { timeout: 10_000 }).toContain(PUBLIC_NOTE);
    await wall.getByTestId('report-to-handled').click();
    await expect.poll(() => phoneState.textContent(), { timeout: 10_000 }).toBe('Đã xử lý');
    const steps = await phone.getByTestId('report-steps').locator('li').allTextContents();
    expect(steps.map((s) => s.split(':')[0])).toEqual(['Mới', 'Đã tiếp nhận', 'Đã xử lý']);
    expect(await phone.textContent('body')).not.toContain('Đầu hẻm 12'); // evidence is the police's, not the reporter's
    await screenshot(phone, 'resident-report-handled-360');

    // The evaluation of that day counts the report, its times and the handled case; the CSV says the same as the page.
    await wall.getByRole('link', { name: 'Đánh giá' }).click();
    const row = wall.locator('[data-testid="eval-table"] tr[data-area="Ấp Đông"]');
    await expect.poll(() => row.locator('td[data-col="reportsReceived"]').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await row.locator('td[data-col="reportsHandled"]').textContent()).toBe('1');
    expect(await row.locator('td[data-col="reportResolveMedianMs"]').textContent()).toMatch(/^\d+(\.\d)?$/);
    const cells = await row.locator('td').allTextContents();
    const csvUrl = await wall.getByTestId('eval-csv').getAttribute('href');
    const csv = await (await wall.request.get(`${world.server.url}${csvUrl}`)).text();
    const line = csv.split('\r\n').find((l) => l.split(',')[1] === 'Ấp Đông')!;
    expect(
      line
        .split(',')
        .slice(2)
        .map((v) => v || '–'),
    ).toEqual(cells);
    await screenshot(wall, 'police-evaluation-1920x1080');

    // An announcement to the hamlet: the resident's badge counts it live, the feed shows it and clears the badge.
    await wall.getByRole('link', { name: 'Thông báo' }).click();
    await wall.locator('#ann-area').selectOption(String(world.areas.hamlet.id));
    await wall.locator('#ann-title').fill('Cảnh giác lừa đảo qua điện thoại');
    await wall.locator('#ann-body').fill('Không chuyển tiền cho người tự xưng công an qua điện thoại.');
    await wall.getByRole('button', { name: 'Gửi thông báo' }).click();
    await expect.poll(() => phone.getByTestId('unread-badge').textContent(), { timeout: 10_000 }).toBe('1');
    await phone.getByRole('link', { name: /Thông báo/ }).click();
    await expect.poll(() => phone.getByTestId('announcements').textContent()).toContain('Cảnh giác lừa đảo qua điện thoại');
    await expect.poll(() => phone.getByTestId('unread-badge').count()).toBe(0);

    const audit = (await world.server.store.db('audit_log').select('action')) as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['report.create', 'report.update', 'report.note', 'report.evidence', 'announcement.create']),
    );
    expect(unexpectedErrors(police.errors)).toEqual([]);
    expect(unexpectedErrors(resident.errors)).toEqual([]);
  });
});
