import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, launchBrowser } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * Laptop-size polish: status badges keep their whole word in narrow table columns, the user page's sessions
 * table shows every column without scrolling sideways, and the invitations list names each person's email.
 * The bell marks a single notice read; a pending invitation is revoked from the invitations list.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

/** Text elements inside `selector` whose content is wider than their box (shown shortened with "…"). */
async function clipped(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((els) =>
      els
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.textContent ?? ''} (${el.scrollWidth}>${el.clientWidth})`),
    );
}

describe.skipIf(missing !== null)('console polish at laptop size', () => {
  let server: E2EServer;
  let browser: Browser;
  let inviteeId: string;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
    await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code } } }',
      { i: { token, password: ownerPassword, displayName: 'Olivia Owner' } },
    );
    const owner = await signInApi(server, server.ownerEmail, ownerPassword);
    const r = await gql(
      server.app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { invitations { acceptLink user { id } } userErrors { code } } }',
      {
        i: {
          invitations: [
            { email: 'amara.okafor@example.com', displayName: 'Amara Okafor', role: 'ADMINISTRATOR' },
            { email: 'ben.hughes@example.com', displayName: 'Ben Hughes', role: 'VIEWER' },
          ],
        },
      },
      owner,
    );
    inviteeId = r.body.data.inviteUsers.invitations[0].user.id;
    // Amara accepts: the owner is notified ("… joined"), one unread notice for the bell.
    const link: string = r.body.data.inviteUsers.invitations[0].acceptLink;
    const accepted = await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code } } }',
      {
        i: { token: new URLSearchParams(new URL(link).hash.slice(1)).get('token'), password: ownerPassword },
      },
    );
    expect(accepted.body.data.acceptInvitation.userErrors).toEqual([]);
    // The owner hears after commit (no security officer or department manager here: the owners do).
    await server.deliverMail();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [width, height] of [
    [1280, 720],
    [1366, 768],
  ] as const) {
    it(`shows whole badges, sessions and emails at ${width}×${height}`, async () => {
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
        await page.locator('tbody tr').first().waitFor();
        expect(await clipped(page, 'tbody .mantine-Badge-label')).toEqual([]);

        await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Invitations').click();
        await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
        await page.locator('tbody tr').first().waitFor();
        await expect.poll(() => page.locator('tbody').innerText()).toContain('amara.okafor@example.com');
        expect(await clipped(page, 'tbody .mantine-Badge-label')).toEqual([]);

        await page.getByRole('link', { name: 'Olivia Owner' }).first().click();
        await page.getByRole('heading', { name: 'Olivia Owner', level: 1 }).waitFor();
        const sessions = page.getByRole('region', { name: 'Most recent sessions, newest first' });
        await sessions.locator('tbody tr').first().waitFor();
        const overflow = await sessions.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(overflow, 'the sessions table fits its card').toBeLessThanOrEqual(1);
        expect(inviteeId).toBeTruthy();
      } finally {
        await context.close();
      }
    }, 120_000);
  }

  it("ends one of another user's sessions from the user page", async () => {
    // Amara accepted her invitation in beforeAll, which signed her in: one live session.
    const live = () =>
      server.rt.services.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', inviteeId)
        .where('revoked_at', 'is', null)
        .execute();
    expect(await live()).toHaveLength(1);
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByLabel('Email').fill(server.ownerEmail);
      await page.getByLabel(/^Password/).fill(ownerPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/users$/);
      await page.goto(`${server.baseUrl}/users/${inviteeId}`);
      await page.getByRole('heading', { name: 'Amara Okafor', level: 1 }).waitFor();
      const sessions = page.getByRole('region', { name: 'Most recent sessions, newest first' });
      await sessions.getByRole('button', { name: /End session/ }).click();
      await page.getByText('The session has ended.').waitFor();
      await expect.poll(async () => (await live()).length).toBe(0);
      // The ended session offers no button any more.
      await expect.poll(() => sessions.getByRole('button', { name: /End session/ }).count()).toBe(0);
      const overflow = await sessions.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow, 'the sessions table fits its card').toBeLessThanOrEqual(1);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('marks one notification read from the bell', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
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
      await page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
      await page.getByRole('button', { name: /^Mark “Amara Okafor joined .*” read$/ }).click();
      await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: /^Mark “.*” read$/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('revokes a pending invitation from the invitations list', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
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
      await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Invitations').click();
      await page.getByRole('radiogroup', { name: 'Invitation status' }).getByText('Pending').click();
      await page.waitForURL(/status=PENDING/);
      // Accepted invitations offer nothing; the pending one can be resent or revoked.
      const revoke = page.getByRole('button', { name: 'Revoke the invitation of ben.hughes@example.com' });
      await revoke.click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
      await page.getByText('No pending invitations').waitFor();
      const r = await gql(
        server.app,
        '{ invitations(first: 10, status: REVOKED) { edges { node { user { email } } } } }',
        undefined,
        await signInApi(server, server.ownerEmail, ownerPassword),
      );
      expect(
        r.body.data.invitations.edges.map((e: { node: { user: { email: string } } }) => e.node.user.email),
      ).toEqual(['ben.hughes@example.com']);
    } finally {
      await context.close();
    }
  }, 120_000);
});
