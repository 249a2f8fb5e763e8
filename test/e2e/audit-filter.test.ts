import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { auditActions } from '../../src/domain/audit/audit-actions.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, createPerson, mainNav, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The audit log's action filter: a select of the server's actions in plain words (no internal keys to
 * type), grouped by what they are about; the column of whom an event is about reads "Target".
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

describe.skipIf(missing !== null)('audit log action filter', () => {
  let server: E2EServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    for (const name of ['Ben Hughes', 'Chloe Martin']) {
      const person = await createPerson(server, {
        name,
        role: 'viewer',
        password: 'unused but long enough 1',
      });
      const r = await gql(
        server.app,
        'mutation($i: SuspendUserInput!) { suspendUser(input: $i) { userErrors { code message } } }',
        { i: { userId: person.id, reason: 'On leave pending review' } },
        token,
      );
      expect(r.body.data?.suspendUser?.userErrors).toEqual([]);
    }
    const d = await gql(
      server.app,
      'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { userErrors { code } } }',
      { i: { name: 'Serious Crime' } },
      token,
    );
    expect(d.body.data?.createDepartment?.userErrors).toEqual([]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('filters by an action chosen by its name from the server’s list', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const table = page.getByRole('region', { name: 'Audit events' });
    const rows = table.locator('tbody tr');
    await rows.first().waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual([
      'When',
      'What',
      'Who',
      'Target',
      'Reason',
    ]);
    const everything = await rows.count();
    expect(everything).toBeGreaterThanOrEqual(4);

    // Every action the server records is offered, by its readable name, in groups.
    const filter = page.getByLabel('Action', { exact: true }).and(page.locator('input'));
    await filter.click();
    const listbox = page.getByRole('listbox');
    await listbox.waitFor();
    expect(await listbox.getByRole('option').count()).toBe(auditActions.length + 1); // and “All actions”
    expect(await listbox.getByText('Users', { exact: true }).count()).toBe(1);
    expect(await listbox.getByRole('option', { name: 'user.suspended' }).count()).toBe(0);
    await expectAccessible(page, 'audit log with the action list open');

    await filter.fill('suspen');
    await listbox.getByRole('option', { name: 'Suspended', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await table.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual([
      'Suspended',
      'Suspended',
    ]);
    expect(await rows.first().textContent()).toContain('On leave pending review');

    // Another action, then none: the whole log again.
    await filter.click();
    await filter.fill('department cr');
    await page.getByRole('option', { name: 'Department created' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getByRole('cell').nth(3).textContent()).toBe('Department');
    await filter.click();
    await filter.fill('all');
    await page.getByRole('option', { name: 'All actions' }).click();
    await expect.poll(() => rows.count()).toBe(everything);
    await expectAccessible(page, 'audit log, filtered');
    await context.close();
  });
});
