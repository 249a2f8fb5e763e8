import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';
import { acceptOwnerSetup } from './console-session.js';
import { seedOrganisation } from './seed.js';
import { signInApi } from './e2e-server.js';

/**
 * Keyboard focus: a dialog closed with Escape or Cancel gives focus back to the button that opened it;
 * sending invitations moves focus to the result; the invite page starts in its first field; the shell's
 * first stop is "Skip to content".
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

/** The focused element, described by its tag and accessible text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'BODY';
    const label = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? '';
    return `${el.tagName} ${label.trim().replace(/\s+/g, ' ').slice(0, 60)}`.trim();
  });

describe.skipIf(missing !== null)('keyboard focus', () => {
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

  async function signedIn() {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(server.ownerEmail);
    await page.getByLabel(/^Password/).fill(ownerPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/users$/);
    return { context, page };
  }

  it('returns focus to the button that opened a dialog, after Escape and after Cancel', async () => {
    const { context, page } = await signedIn();
    try {
      await page.locator('tbody').getByRole('link', { name: 'Ben Hughes' }).click();
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      const suspend = page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Suspend' });
      await suspend.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect.poll(() => focused(page)).toBe('BUTTON Suspend');

      await suspend.click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect.poll(() => focused(page)).toBe('BUTTON Suspend');

      // The role dialog too (another dialog, the same shared behaviour).
      const role = page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Change role' });
      await role.click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect.poll(() => focused(page)).toBe('BUTTON Change role');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('starts the invite page in its first field and moves focus to the result after sending', async () => {
    const { context, page } = await signedIn();
    try {
      await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Invite people').click();
      await page.getByRole('heading', { name: 'Invite people', level: 1 }).waitFor();
      await expect.poll(() => focused(page)).toBe('TEXTAREA');
      await page.keyboard.type('new.starter@example.com');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText('1 invitation sent').waitFor();
      await expect.poll(() => focused(page)).toMatch(/^DIV 1 invitation sent/);
      await expectAccessible(page, 'invite page after sending');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('offers "Skip to content" as the first stop, which moves focus to the page', async () => {
    const { context, page } = await signedIn();
    try {
      await page.locator('tbody tr').first().waitFor();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('A Skip to content');
      const box = await page.getByRole('link', { name: 'Skip to content' }).boundingBox();
      expect(box && box.y >= 0, 'the link is on screen while focused').toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main-content');
      await page.keyboard.press('Tab');
      // The next stop is inside the page, not back in the header.
      expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);
    } finally {
      await context.close();
    }
  }, 120_000);
});
