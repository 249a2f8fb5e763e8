import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUsers } from '../../src/domain/users/seed-users.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser } from './browser.js';
import type { E2EServer } from './e2e-server.js';
import { ownerPassword, signedInPage, startWithOwner } from './user-page.js';

/**
 * Issue 11, item 16: the user page says what is true. A deactivated (or suspended) account's permissions
 * are marked not in force; an active one's are not. A seeded user whose profile records a sign-in lists
 * that sign-in's session instead of "Never signed in".
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

describe.skipIf(missing !== null)('the user page tells the truth', () => {
  let server: E2EServer;
  let browser: Browser;
  let orgId: string;

  beforeAll(async () => {
    const started = await startWithOwner();
    server = started.server;
    orgId = started.orgId;
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('marks a deactivated or suspended account’s permissions as not in force, and an active one’s not', async () => {
    const s = server.rt.services;
    const isaac = await createUser(s, orgId, {
      displayName: 'Isaac Turner',
      role: 'investigator',
      status: 'deactivated',
    });
    const george = await createUser(s, orgId, { displayName: 'George Evans', status: 'suspended' });
    const ben = await createUser(s, orgId, { displayName: 'Ben Hughes', role: 'investigator' });
    const { context, page } = await signedInPage(browser, server, server.ownerEmail, ownerPassword);
    try {
      const permissions = page.getByRole('region', { name: 'Effective permissions' });
      await page.goto(`${server.baseUrl}/users/${isaac.id}`);
      await permissions.getByTestId('effective-permissions').waitFor();
      const note = permissions.locator('#permissions-not-in-force');
      await note.waitFor();
      expect(await note.innerText()).toContain('The account is deactivated');
      expect(await note.innerText()).toContain('none of these permissions apply');
      // The table is described by the explanation, for a screen reader too.
      expect(await permissions.getByTestId('effective-permissions').getAttribute('aria-describedby')).toBe(
        'permissions-not-in-force',
      );
      await expectAccessible(page, 'a deactivated user’s page');

      await page.goto(`${server.baseUrl}/users/${george.id}`);
      await page.getByRole('heading', { name: 'George Evans', level: 1 }).waitFor();
      await permissions.getByTestId('effective-permissions').waitFor();
      await expect.poll(() => note.innerText()).toContain('The account is suspended');

      await page.goto(`${server.baseUrl}/users/${ben.id}`);
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      await permissions.getByTestId('effective-permissions').waitFor();
      expect(await permissions.locator('#permissions-not-in-force').count()).toBe(0);
      expect(
        await permissions.getByTestId('effective-permissions').getAttribute('aria-describedby'),
      ).toBeNull();
    } finally {
      await context.close();
    }
  }, 120_000);

  it('lists a seeded user’s recorded sign-in among their sessions', async () => {
    const s = server.rt.services;
    await seedUsers(s, { orgId, count: 40, batchSize: 100 });
    const seeded = await s.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('org_id', '=', orgId)
      .where('status', '=', 'active')
      .where('last_login_at', 'is not', null)
      .where('email', 'not like', 'olivia%')
      .orderBy('email')
      .executeTakeFirstOrThrow();
    const never = await s.db
      .selectFrom('users')
      .select(['id'])
      .where('org_id', '=', orgId)
      .where('last_login_at', 'is', null)
      .where('status', '=', 'invited')
      .orderBy('email')
      .executeTakeFirstOrThrow();
    const { context, page } = await signedInPage(browser, server, server.ownerEmail, ownerPassword);
    try {
      await page.goto(`${server.baseUrl}/users/${seeded.id}`);
      await page.getByRole('heading', { name: seeded.display_name, level: 1 }).waitFor();
      const card = page.getByRole('region', { name: 'Sessions' });
      await card
        .getByRole('region', { name: 'Most recent sessions, newest first' })
        .locator('tbody tr')
        .waitFor();
      expect(await card.getByText('Never signed in').count()).toBe(0);
      expect(await card.locator('tbody tr').count()).toBe(1);

      await page.goto(`${server.baseUrl}/users/${never.id}`);
      await page.getByRole('region', { name: 'Sessions' }).getByText('Never signed in').waitFor();
      const lastSignIn = page.getByRole('region', { name: 'Profile' });
      expect(await lastSignIn.innerText()).toMatch(/last sign-in\s*—/i);
    } finally {
      await context.close();
    }
  }, 120_000);
});
