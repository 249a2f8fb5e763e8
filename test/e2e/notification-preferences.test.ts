import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, createPerson, mainNav, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * "My notifications": every signed-in person, whatever their role, chooses the optional notices; the
 * security notices are shown as always sent and cannot be switched off.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const viewerPassword = 'amber orchard pencil drifting 4';

describe.skipIf(missing !== null)('my notification preferences page', () => {
  let server: E2EServer;
  let browser: Browser;
  let viewerEmail: string;

  const optOuts = async () => {
    const token = await signInApi(server, viewerEmail, viewerPassword);
    const r = await gql(server.app, '{ myNotificationOptOuts }', undefined, token);
    return r.body.data.myNotificationOptOuts as string[];
  };

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    viewerEmail = (
      await createPerson(server, { name: 'Ben Hughes', role: 'viewer', password: viewerPassword })
    ).email;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets a person without any administrative permission turn optional notices off and on', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, viewerEmail, viewerPassword);
    await mainNav(page).getByRole('link', { name: 'My notifications' }).click();
    await page.getByRole('heading', { name: 'My notifications', level: 1 }).waitFor();

    // Security notices: on, disabled, and said to be always sent.
    const suspended = page.getByRole('switch', { name: 'Suspended' });
    await suspended.waitFor();
    expect(await suspended.isChecked()).toBe(true);
    expect(await suspended.isDisabled()).toBe(true);
    // 9 with the MFA notice (security/mfa-totp).
    expect(await page.getByText('Always sent').count()).toBe(10);
    await expectAccessible(page, 'my notifications');

    const reactivated = page.getByRole('switch', { name: 'Reactivated' });
    expect(await reactivated.isChecked()).toBe(true);
    expect(await reactivated.isDisabled()).toBe(false);
    await reactivated.click({ force: true });
    await page.getByText('Reactivated: you will not be told.').waitFor();
    await expect.poll(optOuts).toEqual(['USER_REACTIVATED']);

    await page.reload();
    const again = page.getByRole('switch', { name: 'Reactivated' });
    await again.waitFor();
    expect(await again.isChecked()).toBe(false);
    await again.click({ force: true });
    await page.getByText('Reactivated: you will be told.').waitFor();
    await expect.poll(optOuts).toEqual([]);
    await context.close();
  });
});
