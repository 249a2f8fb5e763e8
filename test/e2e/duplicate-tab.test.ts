import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, launchBrowser } from './browser.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * A duplicated browser tab: "Duplicate tab" copies sessionStorage, so two tabs hold the same single-use
 * refresh token. Without coordination the first tab to refresh rotates it, the second presents the old one,
 * the API's reuse detection revokes the whole session and both tabs are signed out. The console must keep
 * both tabs signed in without the API accepting a spent token, and a sign-out in one tab must end the
 * other. Playwright cannot press "Duplicate tab": a second page of the same browser context (same origin,
 * same locks and broadcast channels) starts with a copy of the first page's sessionStorage.
 *
 * The control case runs the same steps in a browser without the Web Locks API and BroadcastChannel (the
 * console then cannot coordinate): it shows the bug the fix removes, so this test can fail.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

/** Copies sessionStorage into a new page of the same context, once (a reload must not copy it again). */
async function duplicateTab(context: BrowserContext, from: Page): Promise<Page> {
  const entries = await from.evaluate(() => Object.entries(window.sessionStorage));
  const page = await context.newPage();
  await page.addInitScript((copied: [string, string][]) => {
    if (window.sessionStorage.getItem('e2e.duplicated')) return;
    for (const [k, v] of copied) window.sessionStorage.setItem(k, v);
    window.sessionStorage.setItem('e2e.duplicated', '1');
  }, entries);
  await page.goto(from.url());
  return page;
}

describe.skipIf(missing !== null)('a duplicated tab', () => {
  let server: E2EServer;
  let browser: Browser;
  let orgId: string;
  let ownerId: string;
  const contexts: BrowserContext[] = [];

  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
  /** The page is shown with its data: any refresh its queries needed has finished. */
  const signedInOn = async (page: Page, heading: string) => {
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.locator('tbody tr').first().waitFor();
  };
  const onSignIn = (page: Page) => new URL(page.url()).pathname === '/sign-in';

  async function newContext(coordination: boolean): Promise<BrowserContext> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'Europe/London',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(15_000);
    if (!coordination) {
      await context.addInitScript(() => {
        delete (Navigator.prototype as { locks?: unknown }).locks;
        delete (window as { BroadcastChannel?: unknown }).BroadcastChannel;
      });
    }
    contexts.push(context);
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      for (const [i, page] of context.pages().entries()) {
        await page.screenshot({ path: `.tmp/e2e/duplicate-tab-${i}.png` }).catch(() => undefined);
        console.warn(`[e2e] tab ${i} was at ${page.url()}: .tmp/e2e/duplicate-tab-${i}.png`);
      }
    });
    return context;
  }

  async function signInTab(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(server.ownerEmail);
    await page.getByLabel(/^Password/).fill(ownerPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/users$/);
    await signedInOn(page, 'Users');
    return page;
  }

  /** A point in time after everything earlier tests did: their tabs are closed, the clock moved on. */
  async function freshStart(): Promise<Date> {
    for (const c of contexts.splice(0)) await c.close();
    server.rt.clock.advance(60_000);
    return server.rt.clock.now();
  }

  /** The owner's sessions opened since `since`, and the reuse alarms raised about them. */
  async function serverView(since: Date) {
    const db = server.rt.services.db;
    const sessions = await db
      .selectFrom('sessions')
      .select(['id', 'revoked_at', 'revoked_reason'])
      .where('org_id', '=', orgId)
      .where('user_id', '=', ownerId)
      .where('created_at', '>=', since)
      .execute();
    const reuse = await db
      .selectFrom('audit_events')
      .select('changes')
      .where('org_id', '=', orgId)
      .where('action', '=', 'session.refresh_token_reused')
      .execute();
    const ids = new Set(sessions.map((s) => s.id));
    const alarms = reuse.filter((e) => ids.has(String(e.changes?.sessionId)));
    return { sessions, reuseAlarms: alarms.length };
  }

  /** Expires every access token held by the tabs: their next request needs a refresh. */
  const expireAccessTokens = () => server.rt.clock.advance(11 * 60_000);

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
    const r = await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { id } userErrors { code } } }',
      { i: { token, password: ownerPassword, displayName: 'Olivia Owner' } },
    );
    const user = r.body.data?.acceptInvitation?.user;
    if (!user) throw new Error(`setup failed: ${JSON.stringify(r.body)}`);
    ownerId = user.id;
    const row = await server.rt.services.db
      .selectFrom('users')
      .select('org_id')
      .where('id', '=', ownerId)
      .executeTakeFirstOrThrow();
    orgId = row.org_id;
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('control: tabs that cannot coordinate end the session through reuse detection (the bug)', async () => {
    const since = await freshStart();
    const context = await newContext(false);
    const a = await signInTab(context);
    const b = await duplicateTab(context, a);
    await signedInOn(b, 'Users');
    expireAccessTokens();
    await Promise.all([a.reload(), b.reload()]);
    await mainNav(a)
      .getByRole('link', { name: 'My sessions' })
      .click()
      .catch(() => undefined);
    await mainNav(b)
      .getByRole('link', { name: 'My sessions' })
      .click()
      .catch(() => undefined);
    await expect.poll(() => onSignIn(a) || onSignIn(b)).toBe(true);
    const view = await serverView(since);
    expect(view.reuseAlarms).toBe(1);
    expect(view.sessions).toHaveLength(1);
    expect(view.sessions[0]!.revoked_reason).toBe('session.refresh_token_reused');
  });

  it('keeps both tabs signed in through concurrent refreshes, with no reuse alarm', async () => {
    const since = await freshStart();
    const context = await newContext(true);
    const a = await signInTab(context);
    const b = await duplicateTab(context, a);
    await signedInOn(b, 'Users');

    // Both tabs start again at the same moment with expired access tokens and the same refresh token.
    expireAccessTokens();
    await Promise.all([a.reload(), b.reload()]);
    await Promise.all([signedInOn(a, 'Users'), signedInOn(b, 'Users')]);

    // Both tabs' in-memory access tokens expire; the next click in each needs a refresh, at once.
    expireAccessTokens();
    await Promise.all([
      mainNav(a).getByRole('link', { name: 'My sessions' }).click(),
      mainNav(b).getByRole('link', { name: 'My sessions' }).click(),
    ]);
    await Promise.all([signedInOn(a, 'My sessions'), signedInOn(b, 'My sessions')]);

    // One after the other, several times: each tab refreshes with the token its sibling last rotated.
    for (const [first, second] of [
      [a, b],
      [b, a],
      [a, b],
    ] as const) {
      expireAccessTokens();
      await first.reload();
      await signedInOn(first, 'My sessions');
      await mainNav(second).getByRole('link', { name: 'Users' }).click();
      await signedInOn(second, 'Users');
      await mainNav(second).getByRole('link', { name: 'My sessions' }).click();
      await signedInOn(second, 'My sessions');
    }

    expect(onSignIn(a) || onSignIn(b)).toBe(false);
    const view = await serverView(since);
    expect(view.reuseAlarms).toBe(0);
    expect(view.sessions).toHaveLength(1);
    expect(view.sessions[0]!.revoked_at).toBeNull();

    // A real sign-out in one tab signs out its sibling too, and the sibling forgets the refresh token.
    await a.getByRole('button', { name: /account menu/i }).click();
    await a.getByRole('menuitem', { name: 'Sign out' }).click();
    await a.waitForURL(/\/sign-in$/);
    await b.waitForURL(/\/sign-in/);
    await b.getByText('You signed out in another tab.').waitFor();
    const left = await b.evaluate(() =>
      Object.keys(window.sessionStorage).filter((k) => k.startsWith('roster.')),
    );
    expect(left).toEqual([]);
    const after = await serverView(since);
    expect(after.sessions[0]!.revoked_at).not.toBeNull();
    expect(after.reuseAlarms).toBe(0);
  });

  it('a tab closed in the middle of a refresh leaves its sibling neither stuck nor fooled', async () => {
    const since = await freshStart();
    const context = await newContext(true);
    const a = await signInTab(context);
    const b = await duplicateTab(context, a);
    await signedInOn(b, 'Users');
    expireAccessTokens();

    // Tab A's refresh reaches the API, which spends the token and rotates it; A is closed before it reads
    // the answer, holding the family's refresh lock. The new token is gone with A.
    let rotated!: () => void;
    const refreshDone = new Promise<void>((resolve) => (rotated = resolve));
    await a.route('**/graphql', async (route) => {
      if ((route.request().postData() ?? '').includes('refreshSession')) {
        await route.fetch();
        rotated();
        return; // the answer never reaches the tab
      }
      await route.continue();
    });
    await mainNav(a)
      .getByRole('link', { name: 'My sessions' })
      .click()
      .catch(() => undefined);
    await refreshDone;
    await a.close();

    // B is not left waiting for the lock of a closed tab. Its copy of the token is spent: the API cannot
    // tell it from a stolen one and ends the session, and B says so instead of hanging.
    await mainNav(b).getByRole('link', { name: 'My sessions' }).click();
    await b.waitForURL(/\/sign-in/);
    await b.getByText('Your session has ended. Sign in again.').waitFor();
    const view = await serverView(since);
    expect(view.reuseAlarms).toBe(1);
    expect(view.sessions[0]!.revoked_reason).toBe('session.refresh_token_reused');
  });
});
