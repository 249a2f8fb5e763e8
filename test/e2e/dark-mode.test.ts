import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';
import { acceptOwnerSetup } from './console-session.js';
import { seedOrganisation } from './seed.js';

/**
 * Appearance and loading: the console follows the system's dark or light setting, the account menu keeps
 * another choice (after a reload too), axe passes in both schemes; and a navigation keeps the shell on
 * screen, with a skeleton in the content area, never a full-page spinner.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

describe.skipIf(missing !== null)('appearance and loading', () => {
  let server: E2EServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    await seedOrganisation(server, await signInApi(server, server.ownerEmail, ownerPassword));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(colorScheme: 'light' | 'dark') {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Europe/London',
      locale: 'en-GB',
      colorScheme,
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(server.ownerEmail);
    await page.getByLabel(/^Password/).fill(ownerPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/users$/);
    await page.locator('tbody tr').first().waitFor();
    return { context, page };
  }
  const scheme = (page: Page) =>
    page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
  const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  it('follows a dark system setting, passes axe in it, and keeps a light choice from the menu', async () => {
    const { context, page } = await signedIn('dark');
    try {
      expect(await scheme(page)).toBe('dark');
      expect(await background(page)).not.toBe('rgb(255, 255, 255)');
      await expectAccessible(page, 'users list, dark');
      await page.screenshot({ path: 'docs/screenshots/users-dark.png' });
      await page.getByRole('link', { name: 'Ben Hughes' }).first().click();
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      await expectAccessible(page, 'user page, dark');

      await page.getByRole('button', { name: /Account menu/ }).click();
      await page.getByRole('menuitem', { name: 'Light', exact: true }).click();
      await expect.poll(() => scheme(page)).toBe('light');
      await page.reload();
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      expect(await scheme(page), 'the choice outlives a reload').toBe('light');
      expect(await background(page)).toBe('rgb(255, 255, 255)');
      await expectAccessible(page, 'user page, light');
      await page.getByRole('button', { name: /Account menu/ }).click();
      // The menu says which is chosen.
      await page.getByRole('menuitem', { name: /^Light\W*chosen$/ }).waitFor();
      expect(await page.getByRole('menuitem', { name: /^Follow the system\W*chosen$/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('follows a light system setting and turns dark from the menu', async () => {
    const { context, page } = await signedIn('light');
    try {
      expect(await scheme(page)).toBe('light');
      await page.getByRole('button', { name: /Account menu/ }).click();
      await page.getByRole('menuitem', { name: 'Dark', exact: true }).click();
      await expect.poll(() => scheme(page)).toBe('dark');
      await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Audit log').click();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      await expectAccessible(page, 'audit log, dark');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('keeps the shell on screen during a navigation and shows a skeleton in the content area', async () => {
    const { context, page } = await signedIn('light');
    try {
      // Every API answer takes a second: the page's loading state stays long enough to be seen.
      await page.route('**/graphql', async (route) => {
        await new Promise((r) => setTimeout(r, 1000));
        await route.continue();
      });
      await page.evaluate(() => {
        const w = window as unknown as { shellGone: boolean };
        w.shellGone = false;
        new MutationObserver(() => {
          if (!document.querySelector('nav[aria-label="Main navigation"]')) w.shellGone = true;
        }).observe(document.body, { childList: true, subtree: true });
      });
      await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Invitations').click();
      await page
        .locator('main')
        .getByTestId('page-skeleton')
        .or(page.locator('main [role="status"]'))
        .first()
        .waitFor();
      await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
      await page
        .getByRole('navigation', { name: 'Main navigation' })
        .getByText('Users', { exact: true })
        .click();
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      // A user's page while its data loads: the skeleton in place, in the shell.
      await page.locator('tbody').getByRole('link', { name: 'Ben Hughes' }).click();
      await page.locator('main').getByTestId('page-skeleton').waitFor();
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      expect(await page.evaluate(() => (window as unknown as { shellGone: boolean }).shellGone)).toBe(false);
    } finally {
      await context.close();
    }
  }, 120_000);
});
