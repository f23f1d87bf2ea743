import { afterAll, beforeAll, expect, it } from 'vitest';
import { testPhoto } from '../support/photos.js';
import { describeBrowser, openBrowser, screenshot, screenshotOnFailure, unexpectedErrors, type BrowserSession } from './support/browser.js';
import { login, PASSWORD, startWorld, type World } from './support/world.js';

const BODY = 'Có người lạ cạy khoá xe máy trước dãy trọ số 5, mặc áo khoác đen.';
const PUBLIC_NOTE = 'Công an xã đã đến dãy trọ kiểm tra. Cảm ơn bạn đã báo.';

/**
 * Issue 13 items 1–2 in the real UI. Anyone with the area's public link, on a 360 px phone and
 * without an account, files a report with a photo by typing and clicking, gets a reference
 * number and a secret, and sees the state change after the police handle it; once the police
 * switch the link off, it files nothing. An admin makes a resident the leader of their group,
 * who then sees exactly the group's reports.
 */
describeBrowser('the anonymous report link and a group leader', () => {
  let world: World;
  let police: BrowserSession;
  let phone: BrowserSession;
  let groupId: number;

  beforeAll(async () => {
    world = await startWorld({ detect: { workers: 1 } });
    const group = await world.server.store.areas.create({ parentId: world.areas.hamlet.id, kind: 'boarding_house', name: 'Dãy trọ Hạnh Phúc' });
    groupId = group.id;
    police = await openBrowser({ width: 1280, height: 900 });
    phone = await openBrowser({ width: 360, height: 740 });
  });
  screenshotOnFailure(() => [police?.page, phone?.page]);
  afterAll(async () => {
    await phone?.close();
    await police?.close();
    await world?.server.stop();
  });

  it('anyone with the link files a report at 360 px and follows it to handled; the link switched off files nothing', async () => {
    const desk = police.page;
    await login(desk, world.server.url, 'congan');
    await desk.getByRole('link', { name: 'Báo tin ẩn danh' }).click();
    const row = desk.locator('li[data-area="Ấp Đông"]');
    await row.getByRole('button', { name: 'Bật đường dẫn mới' }).click();
    const linkBox = desk.getByTestId('fresh-link').locator('input');
    await expect.poll(() => linkBox.inputValue(), { timeout: 10_000 }).toMatch(/\/r\/[A-Za-z0-9_-]{24}$/);
    const url = await linkBox.inputValue();
    await expect.poll(() => row.textContent()).toMatch(/Đang bật từ/);

    // The phone: no account, only the link.
    const p = phone.page;
    await p.goto(url);
    await expect.poll(() => p.locator('.page').textContent(), { timeout: 10_000 }).toContain('Ấp Đông');
    await p.locator('#report-category').selectOption('theft');
    await p.locator('#report-body').click();
    await p.keyboard.type(BODY);
    await p.locator('#report-place').fill('Dãy trọ số 5, hẻm 40');
    await p.locator('#report-photos').setInputFiles({ name: 'xe.jpg', mimeType: 'image/jpeg', buffer: await testPhoto('jpeg', '640x480') });
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(p, 'public-report-form-360');
    await p.getByTestId('report-submit').click();
    const receipt = p.getByTestId('public-receipt');
    await expect.poll(() => receipt.textContent(), { timeout: 15_000 }).toMatch(/TB-\d{8}-\d{4}/);
    const text = (await receipt.textContent())!;
    const ref = /TB-\d{8}-\d{4}/.exec(text)![0];
    expect(text).toMatch(/Mã bí mật: [A-Za-z0-9_-]{16}/);
    // The phone follows it at once, with the numbers it was given.
    const status = p.getByTestId('public-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('Tình trạng: Mới');
    expect(await p.locator('#follow-ref').inputValue()).toBe(ref);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(p, 'public-report-sent-360');

    // The police handle it: a public note, then handled.
    await desk.getByRole('link', { name: 'Tin báo', exact: true }).click();
    const entry = desk.locator(`li[data-report="${ref}"]`);
    await expect.poll(() => entry.textContent(), { timeout: 10_000 }).toContain('Gửi ẩn danh qua đường dẫn công khai');
    await entry.getByRole('link').click();
    await desk.locator('#report-note').fill(PUBLIC_NOTE);
    await desk.getByRole('button', { name: 'Lưu ghi chú' }).click();
    await desk.getByTestId('report-to-handled').click();
    await expect.poll(() => desk.locator('.page-head [data-testid="report-state"]').textContent(), { timeout: 10_000 }).toBe('Đã xử lý');

    // The phone sees the new state and the answer without anyone touching it.
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('Tình trạng: Đã xử lý');
    expect(await status.textContent()).toContain(PUBLIC_NOTE);
    await screenshot(p, 'public-report-handled-360');

    // Switched off: the same link now says so and files nothing.
    await desk.getByRole('link', { name: 'Báo tin ẩn danh' }).click();
    await desk.locator('li[data-area="Ấp Đông"]').getByRole('button', { name: 'Tắt đường dẫn' }).click();
    await expect.poll(() => desk.locator('li[data-area="Ấp Đông"]').textContent()).toContain('Đang tắt');
    await p.goto(url);
    await expect.poll(() => p.locator('[role="alert"]').first().textContent(), { timeout: 10_000 }).toContain('không còn hiệu lực');
    expect(await p.locator('#report-body').count()).toBe(0);
    expect(unexpectedErrors(police.errors)).toEqual([]);
    expect(unexpectedErrors(phone.errors, [401, 404])).toEqual([]);
  });

  it('an admin makes a resident the group leader, who then sees exactly the group’s reports', async () => {
    const s = world.server;
    const member = await s.auth.users.add(
      { username: 'nguoitro', displayName: 'Chị Lan (phòng 3)', password: PASSWORD, roles: ['resident'], areaIds: [groupId] },
      { name: 'cli' },
    );
    const file = (areaId: number, reporterId: number, body: string) =>
      s.store.reports.create(
        { areaId, reporterId, category: 'suspicious', body, place: '', latitude: null, longitude: null, occurredAt: Date.now(), eventId: null },
        Date.now(),
      );
    const inGroup = await file(groupId, member.id, 'Người lạ hỏi thăm phòng trống lúc nửa đêm');
    const inHamlet = await file(world.areas.hamlet.id, world.users.police.id, 'Việc của ấp, không của dãy trọ');

    const desk = police.page;
    await desk.getByRole('button', { name: 'Đăng xuất' }).click();
    await desk.locator('#login-username').waitFor();
    await login(desk, s.url, 'quantri');
    await desk.getByRole('link', { name: 'Nhóm cộng đồng' }).click();
    const card = desk.locator('section[data-group="Dãy trọ Hạnh Phúc"]');
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('Chị Lan (phòng 3)');
    await card.getByRole('combobox', { name: 'Tài khoản' }).selectOption({ label: 'Tổ trưởng Trần Thị Hoa (todan)' });
    await card.getByRole('combobox', { name: 'Vai trò trong nhóm' }).selectOption('leader');
    await card.getByRole('button', { name: 'Thêm vào nhóm' }).click();
    await expect.poll(() => card.locator('li[data-member="todan"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await card.getByRole('combobox', { name: 'Đổi vai trò của Tổ trưởng Trần Thị Hoa' }).inputValue()).toBe('leader');

    const p = phone.page;
    await login(p, s.url, 'todan');
    await p.getByRole('link', { name: 'Tin báo', exact: true }).click();
    await expect.poll(() => p.locator('h1').textContent(), { timeout: 10_000 }).toBe('Tin báo của nhóm tôi phụ trách');
    const list = p.getByTestId('report-list');
    await expect.poll(() => list.locator('li').count(), { timeout: 10_000 }).toBe(1);
    expect(await list.locator('li').getAttribute('data-report')).toBe(inGroup.ref);
    expect(await list.textContent()).not.toContain(inHamlet.ref);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(p, 'group-leader-reports-360');

    // The leader files for a neighbour on a flaky connection: the first answer is lost on the way
    // back (the server did file it), the form says it is sending again, and the report exists once.
    let dropped = 0;
    let firstStatus = 0;
    await p.route('**/api/reports', async (route) => {
      if (route.request().method() !== 'POST' || dropped > 0) return route.fallback();
      dropped += 1;
      firstStatus = (await route.fetch()).status(); // reaches the server …
      await route.abort('connectionreset'); // … but the phone never hears back
    });
    await p.getByRole('navigation').getByRole('link', { name: 'Gửi tin báo' }).click();
    await p.locator('#report-area').selectOption(String(groupId));
    await p.locator('#report-body').fill('Bà Năm nhờ báo: có người lạ gõ cửa từng phòng hỏi mượn tiền');
    await p.locator('#report-behalf').fill('Bà Năm (phòng 7)');
    await p.getByTestId('report-submit').click();
    await expect.poll(() => p.getByTestId('report-retrying').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => p.getByTestId('report-sent').textContent(), { timeout: 20_000 }).toMatch(/TB-\d{8}-\d{4}/);
    expect([dropped, firstStatus]).toEqual([1, 201]); // the lost answer was a report filed
    const filed = await s.store.db('reports').where({ on_behalf_of: 'Bà Năm (phòng 7)' });
    expect(filed).toHaveLength(1);
    await p.unroute('**/api/reports');
  });
});
