import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser } from './browser.js';
import type { E2EServer } from './e2e-server.js';
import { signedInPage, startWithOwner } from './user-page.js';

/**
 * Issue 12, step-up: an administrator whose sign-in is older than the organisation's window deactivates a
 * user; the console asks for the password in place, re-authenticates and completes the deactivation
 * without the administrator doing it again. Cancelling gives the original refusal.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const password = 'amber kettle northern 61 pier';

describe.skipIf(missing !== null)('step-up in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let orgId: string;
  let adminId: string;

  beforeAll(async () => {
    const started = await startWithOwner();
    server = started.server;
    orgId = started.orgId;
    browser = await launchBrowser();
    adminId = (
      await createUser(server.rt.services, orgId, {
        displayName: 'Priya Shah',
        email: 'priya.shah@example.com',
        role: 'administrator',
        password,
      })
    ).id;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The administrator's sessions authenticated 11 minutes ago: older than the default 10-minute window. */
  async function ageAuthentication(): Promise<void> {
    const old = new Date(server.rt.clock.now().getTime() - 11 * 60_000);
    await server.rt.services.db
      .updateTable('sessions')
      .set({ auth_time: old })
      .where('user_id', '=', adminId)
      .execute();
  }

  const statusOf = async (id: string) =>
    (
      await server.rt.services.db
        .selectFrom('users')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  it('asks for the password in place and completes the deactivation; cancel keeps the refusal', async () => {
    const s = server.rt.services;
    const leaving = await createUser(s, orgId, { displayName: 'Tom Baker', email: 'tom.baker@example.com' });
    const staying = await createUser(s, orgId, { displayName: 'Ava Green', email: 'ava.green@example.com' });
    const { context, page } = await signedInPage(browser, server, 'priya.shah@example.com', password);
    try {
      await ageAuthentication();

      // Cancel: the deactivation is refused with the server's reason, and nothing changes.
      await page.goto(`${server.baseUrl}/users/${staying.id}`);
      await page.getByRole('heading', { name: 'Ava Green', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
      let action = page.getByRole('dialog', { name: 'Deactivate Ava Green' });
      await action.getByLabel('Reason').fill('Left the force');
      await action.getByLabel(/I understand/).check();
      await action.getByRole('button', { name: 'Deactivate permanently' }).click();
      let confirm = page.getByRole('dialog', { name: 'Confirm it’s you' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      await action.getByText(/confirm who you are again/).waitFor();
      expect(await statusOf(staying.id)).toBe('active');
      await action.getByRole('button', { name: 'Cancel' }).click();
      await action.waitFor({ state: 'detached' });

      // The password, by keyboard: the same request is retried and the deactivation completes.
      await page.goto(`${server.baseUrl}/users/${leaving.id}`);
      await page.getByRole('heading', { name: 'Tom Baker', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
      action = page.getByRole('dialog', { name: 'Deactivate Tom Baker' });
      await action.getByLabel('Reason').fill('Retired');
      await action.getByLabel(/I understand/).check();
      await action.getByRole('button', { name: 'Deactivate permanently' }).click();
      confirm = page.getByRole('dialog', { name: 'Confirm it’s you' });
      await confirm.waitFor();
      await expectAccessible(page, 'the re-authentication dialog');
      // The password field has focus: type and press Enter.
      const field = confirm.getByLabel(/^Password/);
      expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
      // A wrong password first: it stays open with the reason, and it counted as a failed sign-in.
      await page.keyboard.type('not my password at all');
      await page.keyboard.press('Enter');
      await confirm.getByText('The password is not correct.').waitFor();
      await field.fill('');
      await field.focus();
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
      await confirm.waitFor({ state: 'detached' });
      await page.getByText('Tom Baker is deactivated.').waitFor();
      expect(await statusOf(leaving.id)).toBe('deactivated');

      const events = await s.db
        .selectFrom('audit_events')
        .select(['action', 'actor_id', 'target_id'])
        .where('org_id', '=', orgId)
        .where('action', 'in', ['session.reauthenticated', 'session.sign_in_failed', 'user.deactivated'])
        .orderBy('seq')
        .execute();
      expect(events.map((e) => [e.action, e.target_id])).toEqual([
        ['session.sign_in_failed', adminId],
        ['session.reauthenticated', adminId],
        ['user.deactivated', leaving.id],
      ]);
      expect(events.slice(1).map((e) => e.actor_id)).toEqual([adminId, adminId]);
    } finally {
      await context.close();
    }
  }, 180_000);
  it('sets the window, administrators’ lifetimes and the session limit, asking for the password when due', async () => {
    const { context, page } = await signedInPage(browser, server, 'priya.shah@example.com', password);
    const settings = async () =>
      (
        await server.rt.services.db
          .selectFrom('organizations')
          .select('settings')
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).settings;
    try {
      await page.goto(`${server.baseUrl}/settings`);
      const section = page.getByRole('region', { name: 'Identity confirmation and session limits' });
      const windowField = section.getByLabel('Confirm identity for sensitive actions after (minutes)');
      await expect.poll(() => windowField.inputValue()).toBe('10');
      expect(
        await section.getByLabel('Administrators: sign out after inactivity (minutes)').inputValue(),
      ).toBe('15');
      expect(await section.getByLabel('Administrators: a sign-in lasts at most (hours)').inputValue()).toBe(
        '12',
      );
      const limit = section.getByLabel('Sessions per person');
      expect(await limit.inputValue()).toBe('10');
      await expectAccessible(page, 'organisation settings with identity confirmation');

      // A fresh sign-in: saved at once.
      await limit.fill('5');
      await section.getByRole('button', { name: 'Save identity confirmation and limits' }).click();
      await page.getByText('Identity confirmation and session limits are saved.').waitFor();
      expect(await settings()).toMatchObject({ maxSessionsPerUser: 5 });

      // An old one: the password first, then the same save goes through.
      await ageAuthentication();
      await windowField.fill('5');
      await section.getByRole('button', { name: 'Save identity confirmation and limits' }).click();
      const confirm = page.getByRole('dialog', { name: 'Confirm it’s you' });
      await confirm.getByLabel(/^Password/).fill(password);
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      await confirm.waitFor({ state: 'detached' });
      await expect.poll(async () => (await settings()).reauthenticationWindowMinutes).toBe(5);
    } finally {
      await context.close();
    }
  }, 180_000);
  it('asks before an audit export when the sign-in is old, then downloads', async () => {
    const { context, page } = await signedInPage(browser, server, 'priya.shah@example.com', password);
    try {
      await page.goto(`${server.baseUrl}/audit`);
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      await ageAuthentication();
      const downloaded = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const confirm = page.getByRole('dialog', { name: 'Confirm it’s you' });
      await confirm.getByLabel(/^Password/).fill(password);
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      const download = await downloaded;
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
    } finally {
      await context.close();
    }
  }, 180_000);
});
