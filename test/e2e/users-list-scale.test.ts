import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { seedUsers } from '../../src/domain/users/seed-users.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The users list with a few thousand users, end to end: deactivated users hidden unless asked for, the
 * quick filters, an estimated count, and the last page reached in one click (cursors from both ends).
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const password = 'cobalt lantern meadow quartz 58';
const seeded = 3000;

describe.skipIf(missing !== null)('users list at scale', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const go = (path: string) => page.goto(`${server.baseUrl}${path}`);
  const count = () => page.getByTestId('users-count').textContent();
  const pageLabel = () => page.getByTestId('users-page-label').textContent();
  const rows = () => page.getByRole('table').locator('tbody tr');
  const keepEvidence = (step: string) =>
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      await page?.screenshot({ path: `.tmp/e2e/users-scale-${step}.png` }).catch(() => undefined);
    });
  /** Ids of the users list as the API gives it, for comparison with what the page shows. */
  const apiIds = async (args: string) => {
    const r = await gql(server.app, `{ users(${args}) { nodes { displayName email } } }`, undefined, token);
    expect(r.body.errors).toBeUndefined();
    return (r.body.data.users.nodes as { displayName: string; email: string }[]).map(
      (n) => n.displayName || n.email,
    );
  };

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    const s = server.rt.services;
    const org = await s.db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', server.orgSlug)
      .executeTakeFirstOrThrow();
    const admin = await createUser(s, org.id, {
      role: 'administrator',
      email: 'ada.admin@example.com',
      displayName: 'Ada Admin',
      password,
    });
    await seedUsers(s, { orgId: org.id, count: seeded, batchSize: 1000, seed: 5 });
    token = await signInApi(server, admin.email, password);
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await go('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('hides deactivated users unless the status filter asks for them, and says the count is an estimate', async () => {
    keepEvidence('deactivated');
    const db = server.rt.services.db;
    const byStatus = await db
      .selectFrom('users')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const deactivated = Number(byStatus.find((r) => r.status === 'deactivated')?.n ?? 0);
    expect(deactivated).toBeGreaterThan(0);

    await go('/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    // Over 1,000 matches: the planner's estimate, labelled as one.
    await expect.poll(count).toMatch(/^About [\d,]+ users \(estimate\)$/);
    const firstPage = await rows().allTextContents();
    expect(firstPage.join('\n')).not.toMatch(/Deactivated/);
    await expectAccessible(page, 'the users list');

    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Deactivated' }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL(/status=DEACTIVATED/);
    await expect
      .poll(async () => {
        const t = await rows().allTextContents();
        return t.length > 0 && t.every((r) => r.includes('Deactivated'));
      })
      .toBe(true);
  });

  it('offers one-click presets: never signed in, inactive for 30/60/90 days', async () => {
    keepEvidence('presets');
    await go('/users?cols=email,status,lastActive');
    await page.getByRole('button', { name: 'Inactive for 90 days' }).click();
    await page.waitForURL(/inactive=90/);
    await expect
      .poll(() => page.getByRole('button', { name: 'Inactive for 90 days' }).getAttribute('aria-pressed'))
      .toBe('true');
    const cutoff = new Date(Date.now() - 90 * 86_400_000 + 60_000).toISOString();
    const expected = await apiIds(
      `first: 25, filter: { status: [ACTIVE, INVITED, SUSPENDED], lastActiveBefore: "${cutoff}" }`,
    );
    expect(expected.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await rows().locator('td:first-child a').allTextContents()).slice(0, 5))
      .toEqual(expected.slice(0, 5));

    await page.getByRole('button', { name: 'Never signed in' }).click();
    await page.waitForURL(/signedIn=never/);
    expect(page.url()).not.toMatch(/inactive=/);
    await expect
      .poll(async () => {
        const t = await rows().allTextContents();
        return t.length > 0 && t.every((r) => r.includes('Never'));
      })
      .toBe(true);
    await expectAccessible(page, 'the users list with a preset');
  });

  it('reaches the last page in one click and steps back from it', async () => {
    keepEvidence('last-page');
    await go('/users');
    await expect.poll(pageLabel).toBe('Page 1');
    await expect(page.getByRole('button', { name: 'Previous page' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Last page' }).click();
    await expect.poll(pageLabel).toBe('Last page');
    const tail = await apiIds('last: 25, filter: { status: [ACTIVE, INVITED, SUSPENDED] }');
    expect(tail).toHaveLength(25);
    await expect.poll(() => rows().locator('td:first-child a').allTextContents()).toEqual(tail);
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Last page' }).isDisabled()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(pageLabel).toBe('Page 2 from the end');
    const before = await apiIds('last: 50, filter: { status: [ACTIVE, INVITED, SUSPENDED] }');
    await expect
      .poll(() => rows().locator('td:first-child a').allTextContents())
      .toEqual(before.slice(0, 25));

    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(pageLabel).toBe('Page 1');
    const head = await apiIds('first: 25, filter: { status: [ACTIVE, INVITED, SUSPENDED] }');
    await expect.poll(() => rows().locator('td:first-child a').allTextContents()).toEqual(head);
    await expectAccessible(page, 'the users list pager');
  });
});
