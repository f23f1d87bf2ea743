import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterEach, describe, it } from 'vitest';
import { PROJECT_ROOT } from '../../../server/version.js';

/**
 * The browser tier: Debian's Chromium driven by playwright-core (no browser download).
 * Missing browser: with CI=true the tier fails; elsewhere it is skipped with a plain message.
 */
export const CHROMIUM = process.env.BINHYEN_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-output', 'screenshots');

const SKIP_MESSAGE = `Browser tier skipped: ${CHROMIUM} not found. Install Debian's Chromium (apt-get install chromium) to run the end-to-end tests; with CI=true a missing browser fails the run.`;

/** describe() when Chromium is there; otherwise a failing test on CI, a plain skip elsewhere. */
export function describeBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () =>
      it('needs Chromium', () => {
        throw new Error(SKIP_MESSAGE);
      }),
    );
    return;
  }
  process.stderr.write(`\n${SKIP_MESSAGE}\n`);
  describe.skip(name, fn);
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far (CSP violations land here too). */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile (own user-data-dir, so its own cookies) with one page. */
export async function openBrowser(opts: { width?: number; height?: number; locale?: string } = {}): Promise<BrowserSession> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: opts.locale ?? 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  };
  page.on('console', onConsole);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Errors that are expected and not bugs: the browser logs every failed HTTP answer
 * (e.g. the 401 of the session check before login, a 404 live frame before the first one).
 */
export function unexpectedErrors(errors: readonly string[], expectedStatuses: readonly number[] = [401, 403, 404]): string[] {
  const re = new RegExp(`Failed to load resource: the server responded with a status of (${expectedStatuses.join('|')})\\b`);
  return errors.filter((e) => !re.test(e));
}

/** After a failed test: a screenshot named after it (failed-<test>.png), to see what the user saw. */
export function screenshotOnFailure(pages: () => (Page | undefined)[]): void {
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const slug = ctx.task.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 60);
    for (const [i, p] of pages().entries()) if (p && !p.isClosed()) await screenshot(p, `failed-${slug}-${i}`);
  });
}
