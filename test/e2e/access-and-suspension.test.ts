import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';
import { acceptOwnerSetup } from './console-session.js';

/**
 * What people without access are told: a viewer opening /users sees a plain "no access" page (no filters,
 * no "Try again"); a suspended person who types the right password is told until when; a new person's
 * acceptance form fits a 1366×768 screen with its button, and names what the password policy refuses.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const password = 'quartz meadow pillar ferry 42';

describe.skipIf(missing !== null)('access and suspension in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let orgId: string;
  let owner: string;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    owner = await signInApi(server, server.ownerEmail, ownerPassword);
    orgId = (
      await server.rt.services.db
        .selectFrom('organizations')
        .select('id')
        .where('slug', '=', server.orgSlug)
        .executeTakeFirstOrThrow()
    ).id;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a viewer without users:read a plain "no access" page on /users and /audit', async () => {
    const viewer = await createUser(server.rt.services, orgId, {
      displayName: 'Vera Viewer',
      email: 'vera.viewer@example.com',
      role: 'viewer',
      password,
    });
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByLabel('Email').fill(viewer.email);
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/profile$/);
      for (const path of ['/users', '/audit', `/users/${viewer.id}`]) {
        await page.goto(`${server.baseUrl}${path}`);
        await page.getByRole('heading', { name: 'You don’t have access to this page', level: 1 }).waitFor();
        expect(await page.getByRole('button', { name: 'Try again' }).count(), path).toBe(0);
        expect(await page.getByRole('searchbox').count(), `${path}: no filter bar`).toBe(0);
        expect(await page.getByRole('textbox').count(), `${path}: no filter bar`).toBe(0);
      }
      await expectAccessible(page, 'the no-access page');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('tells a suspended person, after the right password, until when; a wrong one gets the usual answer', async () => {
    const sam = await createUser(server.rt.services, orgId, {
      displayName: 'Sam Suspended',
      email: 'sam.suspended@example.com',
      password,
    });
    const r = await gql(
      server.app,
      'mutation($i: SuspendUserInput!) { suspendUser(input: $i) { userErrors { code } } }',
      { i: { userId: sam.id, reason: 'Laptop reported stolen', until: '2031-03-14T09:30:00Z' } },
      owner,
    );
    expect(r.body.data.suspendUser.userErrors).toEqual([]);
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByLabel('Email').fill(sam.email);
      await page.getByLabel(/^Password/).fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').getByText('The email or password is not correct').waitFor();
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page
        .getByRole('alert')
        .getByText('Your account is suspended until 14 Mar 2031, 09:30 UTC', { exact: false })
        .waitFor();
      expect(page.url()).toMatch(/\/sign-in$/);
      await expectAccessible(page, 'the sign-in page telling of a suspension');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('fits the acceptance form with its button on a 1366×768 screen and names what the policy refuses', async () => {
    const r = await gql(
      server.app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { invitations { acceptLink } userErrors { code } } }',
      {
        i: {
          invitations: [
            {
              email: 'nadia.newcomer@example.com',
              role: 'VIEWER',
              message: 'Welcome aboard — your first week is on the shared calendar.',
            },
          ],
        },
      },
      owner,
    );
    const link = server.local(r.body.data.inviteUsers.invitations[0].acceptLink);
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Europe/London',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.getByTestId('invitation-summary').waitFor();
      const button = page.getByRole('button', { name: 'Create my account and sign in' });
      const box = await button.boundingBox();
      expect(box, 'the submit button is rendered').not.toBeNull();
      expect(box!.y + box!.height, 'the submit button is visible without scrolling').toBeLessThanOrEqual(768);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      const rules = page.getByRole('list', { name: 'Your password' });
      await rules.getByText(/Not just one character over and over/).waitFor();
      await rules.getByText(/not a predictable pattern/).waitFor();
      expect(await rules.getByText('Not one character repeated').count()).toBe(0);
      await expectAccessible(page, 'the acceptance form at 1366×768');
    } finally {
      await context.close();
    }
  }, 120_000);
});
