import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser } from './browser.js';
import { acceptOwnerSetup, signInBrowser } from './console-session.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';

/** The invite page preselects the browser's time zone for the new user, and the user is stored with it. */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

describe.skipIf(missing !== null)('the invited user’s time zone', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    await acceptOwnerSetup(server, ownerPassword);
    browser = await launchBrowser();
    // An administrator in Oslo (not the helpers' Europe/London).
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Europe/Oslo',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('defaults to the browser’s zone, not UTC, and stores it on the invited user', async () => {
    await page.goto(`${server.baseUrl}/invite`);
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await expect.poll(() => zone.inputValue()).toBe('Europe/Oslo');
    await expectAccessible(page, 'the invite page with its time zone');
    await page.getByLabel('Email addresses').fill('nils.nordmann@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('1 invitation sent').waitFor();
    const stored = await server.rt.services.db
      .selectFrom('users')
      .select(['time_zone', 'status'])
      .where('email_normalized', '=', 'nils.nordmann@example.com')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ time_zone: 'Europe/Oslo', status: 'invited' });
  });
});
