import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The audit log's infinite scroll: with more events than a page (50), scrolling to the end of the list
 * loads the older ones by itself until the beginning of the log is reached; without IntersectionObserver
 * the "Load older events" button does the same from the keyboard.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const departments = 110;

describe.skipIf(missing !== null)('audit log infinite scroll', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;

  const rows = () => page.locator('tbody tr').count();
  const loadOlder = () => page.getByRole('button', { name: 'Load older events' });
  const endOfLog = () => page.getByText(/^Beginning of the log: all \d+ matching events are shown\.$/);
  const keepEvidence = (step: string) =>
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      const name = `audit-scroll-${step}`;
      await page?.screenshot({ path: `.tmp/e2e/${name}.png`, fullPage: true }).catch(() => undefined);
      console.warn(`[e2e] screenshot of the failed step in .tmp/e2e/${name}.png`);
    });

  /** The organisation's audit events now (a sign-in is one more). */
  async function eventCount(): Promise<number> {
    const counted = await server.rt.services.db
      .selectFrom('audit_events')
      .innerJoin('organizations', 'organizations.id', 'audit_events.org_id')
      .where('organizations.slug', '=', server.orgSlug)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(counted.n);
  }

  /** Signs the owner in and opens the audit log; the number of events it lists when complete. */
  async function openAuditLog(p: Page): Promise<number> {
    await p.goto(`${server.baseUrl}/sign-in`);
    await p.getByLabel('Email').fill(server.ownerEmail);
    await p.getByLabel(/^Password/).fill(ownerPassword);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await p
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await p.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await p.locator('tbody tr').first().waitFor();
    return eventCount();
  }

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
    const accepted = await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code message } } }',
      { i: { token, password: ownerPassword, displayName: 'Olivia Owner' } },
    );
    expect(accepted.body.data?.acceptInvitation?.userErrors).toEqual([]);
    const ownerToken = await signInApi(server, server.ownerEmail, ownerPassword);
    // Each department created is an audit event: more than two pages of them.
    for (let i = 1; i <= departments; i++) {
      const r = await gql(
        server.app,
        'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { userErrors { code } } }',
        { i: { name: `Unit ${String(i).padStart(3, '0')}` } },
        ownerToken,
      );
      expect(r.body.data?.createDepartment?.userErrors).toEqual([]);
    }
    expect(await eventCount()).toBeGreaterThan(100);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads older events when the end of the list scrolls into view, up to the beginning', async () => {
    keepEvidence('scroll');
    page = (await newPage(browser)).page;
    const total = await openAuditLog(page);
    // One page, and the end of it is below the fold: nothing more is loaded until one scrolls.
    expect(await rows()).toBe(50);
    await loadOlder().waitFor();
    await page.waitForTimeout(500);
    expect(await rows()).toBe(50);
    await expect(endOfLog().count()).resolves.toBe(0);

    await page.mouse.move(640, 400);
    await page.mouse.wheel(0, 100_000);
    await expect.poll(rows, { timeout: 15_000 }).toBeGreaterThan(50);
    // Scrolling on to the end reaches the beginning of the log, with every event once.
    await expect
      .poll(
        async () => {
          await page.mouse.wheel(0, 100_000);
          return rows();
        },
        { timeout: 20_000 },
      )
      .toBe(total);
    await endOfLog().waitFor();
    expect(await endOfLog().textContent()).toContain(`all ${total} matching events`);
    await expect(loadOlder().count()).resolves.toBe(0);
    await expectAccessible(page, 'the audit log at its end');
    await page.context().close();
  });

  it('keeps a keyboard-usable "Load older events" button when the browser cannot observe scrolling', async () => {
    keepEvidence('button');
    const opened = await newPage(browser);
    page = opened.page;
    await opened.context.addInitScript(() => {
      delete (window as { IntersectionObserver?: unknown }).IntersectionObserver;
    });
    const total = await openAuditLog(page);
    await page.mouse.move(640, 400);
    await page.mouse.wheel(0, 100_000);
    await page.waitForTimeout(500);
    expect(await rows()).toBe(50);

    await loadOlder().focus();
    await page.keyboard.press('Enter');
    await expect.poll(rows).toBe(100);
    await loadOlder().focus();
    await page.keyboard.press('Space');
    await expect.poll(rows).toBe(total);
    await endOfLog().waitFor();
    await opened.context.close();
  });
});
