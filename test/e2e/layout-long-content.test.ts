import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, cutOffText, expectAccessible, launchBrowser } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';
import { acceptOwnerSetup } from './console-session.js';

/**
 * The real pages with long content — a 60-character department name, a long name and a long email, a
 * session that ended, an unread notice — at the three laptop and desktop sizes: no text is cut off or
 * spills out of its card (checked generically over every text element, badge and button).
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const departmentName = 'Regional Organised Crime and Serious Fraud Coordination Unit'; // 60 characters
const longName = 'Maximiliana Alexandrina Featherstonehaugh-Worthington';
const longEmail = 'maximiliana.alexandrina.featherstonehaugh-worthington@regional-coordination.example.com';

describe.skipIf(missing !== null)('layout with long content', () => {
  let server: E2EServer;
  let browser: Browser;
  let userId: string;
  let departmentId: string;

  beforeAll(async () => {
    expect(departmentName).toHaveLength(60);
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    const owner = await signInApi(server, server.ownerEmail, ownerPassword);
    const d = await gql(
      server.app,
      'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id } userErrors { message } } }',
      { i: { name: departmentName } },
      owner,
    );
    departmentId = d.body.data.createDepartment.department.id;
    const r = await gql(
      server.app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { invitations { acceptLink user { id } } userErrors { code } } }',
      {
        i: {
          invitations: [{ email: longEmail, displayName: longName, role: 'ADMINISTRATOR', departmentId }],
        },
      },
      owner,
    );
    const invitation = r.body.data.inviteUsers.invitations[0];
    userId = invitation.user.id;
    // Accepting signs the person in (a session) and tells the owner ("… joined": an unread notice).
    const accepted = await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code } } }',
      {
        i: {
          token: new URLSearchParams(new URL(invitation.acceptLink).hash.slice(1)).get('token'),
          password: ownerPassword,
        },
      },
    );
    expect(accepted.body.data.acceptInvitation.userErrors).toEqual([]);
    await gql(
      server.app,
      'mutation($i: RevokeUserSessionsInput!) { revokeUserSessions(input: $i) { userErrors { code } } }',
      { i: { userId } },
      owner,
    );
    await server.deliverMail();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [width, height] of [
    [1280, 768],
    [1366, 768],
    [1920, 1080],
  ] as const) {
    it(`cuts no text off at ${width}×${height}`, async () => {
      const context = await browser.newContext({
        viewport: { width, height },
        timezoneId: 'Europe/London',
        locale: 'en-GB',
      });
      context.setDefaultTimeout(15_000);
      try {
        const page = await context.newPage();
        await page.goto(`${server.baseUrl}/sign-in`);
        await page.getByLabel('Email').fill(server.ownerEmail);
        await page.getByLabel(/^Password/).fill(ownerPassword);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(/\/users$/);
        await page.locator('tbody').getByText(longName).first().waitFor();
        expect(await cutOffText(page), 'users list').toEqual([]);

        await page.goto(`${server.baseUrl}/users/${userId}`);
        await page.getByRole('heading', { name: longName, level: 1 }).waitFor();
        const sessions = page.getByRole('region', { name: 'Most recent sessions, newest first' });
        await sessions.getByText('Ended', { exact: true }).waitFor();
        expect(await cutOffText(page), 'user page').toEqual([]);
        const overflow = await sessions.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(overflow, 'the sessions table fits its card').toBeLessThanOrEqual(1);

        await page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
        const bell = page.locator('[class*="Popover-dropdown"]');
        await bell.getByRole('button', { name: /^Mark “.*” read$/ }).waitFor();
        expect(await cutOffText(page, '[class*="Popover-dropdown"]'), 'notifications').toEqual([]);
        await page.keyboard.press('Escape');

        await page.goto(`${server.baseUrl}/departments/${departmentId}`);
        await page.getByRole('heading', { name: departmentName, level: 1 }).waitFor();
        // The members table, with each member's department chips.
        await page.locator('tbody').getByText(departmentName).first().waitFor();
        expect(await cutOffText(page), 'department page').toEqual([]);
        if (width === 1366) await expectAccessible(page, 'department page with long content');
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
