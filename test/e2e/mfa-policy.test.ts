import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, createPerson, mainNav, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The organisation's MFA policy in the console: an owner makes a role require a second factor; during the
 * grace period its holders see by when; after it, signing in leads to the enrolment page and nowhere else.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const adminPassword = 'copper meadow lantern quietly 9';
const day = 86_400_000;

describe.skipIf(missing !== null)('the MFA policy in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let admin: { id: string; email: string };

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    admin = await createPerson(server, { name: 'Ada Admin', role: 'administrator', password: adminPassword });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an owner requires a second factor of administrators, with a grace period', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'Organisation settings' }).click();
    const card = page.getByRole('region', { name: 'Multi-factor authentication' });
    await card.getByLabel('Roles that must use a second factor', { exact: true }).click();
    await page.getByRole('option', { name: 'Administrator', exact: true }).click();
    await page.keyboard.press('Escape');
    await card.getByLabel('Grace period (days)').fill('2');
    await expectAccessible(page, 'organisation settings with the MFA policy filled in');
    await card.getByRole('button', { name: 'Save the multi-factor policy' }).click();
    await page.getByText('The multi-factor policy is saved.').waitFor();
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    const r = await gql(
      server.app,
      '{ organization { mfaRequiredRoles mfaPhishingResistantRoles mfaGracePeriodDays } }',
      undefined,
      token,
    );
    expect(r.body.data.organization).toEqual({
      mfaRequiredRoles: ['ADMINISTRATOR'],
      mfaPhishingResistantRoles: [],
      mfaGracePeriodDays: 2,
    });
    await context.close();
  });

  it('during the grace period an administrator sees by when; after it, only the enrolment page', async () => {
    const during = await newPage(browser);
    await signInBrowser(during.page, server, admin.email, adminPassword);
    await during.page
      .getByTestId('mfa-due-banner')
      .getByText(/requires a second factor for your role/)
      .waitFor();
    await expectAccessible(during.page, 'a page with the MFA grace-period banner');
    await during.context.close();

    server.rt.clock.advance(2 * day + 60_000);
    const after = await newPage(browser);
    await after.page.goto(`${server.baseUrl}/sign-in`);
    await after.page.getByLabel('Email').fill(admin.email);
    await after.page.getByLabel(/^Password/).fill(adminPassword);
    await after.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await after.page.waitForURL(/\/enrol-mfa$/);
    await after.page.getByRole('heading', { name: 'Set up a second factor', level: 1 }).waitFor();
    await after.page.getByText(/requires a second factor for your role since/).waitFor();
    await expectAccessible(after.page, 'the MFA enrolment page');

    // Anywhere else in the console leads back here (a reload too).
    await after.page.goto(`${server.baseUrl}/users`);
    await after.page.waitForURL(/\/enrol-mfa$/);
    await after.page.getByRole('heading', { name: 'Set up a second factor', level: 1 }).waitFor();

    // Setting up the authenticator app right there opens the console.
    await after.page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = (await after.page.getByTestId('totp-secret').textContent())!.trim();
    const app = new TOTP({ secret: Secret.fromBase32(key) });
    await after.page
      .getByLabel('Code from the app')
      .fill(app.generate({ timestamp: server.rt.clock.now().getTime() }));
    await after.page.getByRole('button', { name: 'Confirm' }).click();
    await after.page.getByTestId('enrolment-recovery-codes').waitFor();
    await after.page.getByText('Your second factor is set up. Continue to Roster.').waitFor();
    await expectAccessible(after.page, 'the MFA enrolment page once a factor is set up');
    await after.page.getByRole('button', { name: 'Continue to Roster' }).click();
    await after.page.waitForURL((u) => !u.pathname.startsWith('/enrol-mfa') && u.pathname !== '/');
    await after.page.goto(`${server.baseUrl}/users`);
    await after.page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await after.context.close();
  });

  it('an enrolment-only session can sign out from the enrolment page', async () => {
    const person = await createPerson(server, {
      name: 'Bo Boss',
      role: 'administrator',
      password: adminPassword,
    });
    server.rt.clock.advance(2 * day + 60_000);
    const { page, context } = await newPage(browser);
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel(/^Password/).fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/enrol-mfa$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await context.close();
  });
});
