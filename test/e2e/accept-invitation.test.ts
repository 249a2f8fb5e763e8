import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { gql } from '../support/auth.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The acceptance page end to end: before anything is submitted it shows what the link is for (or that it
 * cannot be used); accepting signs the person in with the acceptance itself and lands in the console.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';

describe.skipIf(missing !== null)('accepting an invitation in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;
  const operations: string[] = [];

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    page.on('request', (r) => {
      const op = /"query":"(?:query|mutation) (\w+)/.exec(r.postData() ?? '')?.[1];
      if (r.url().endsWith('/graphql') && op) operations.push(op);
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the setup link’s organisation and role, then signs the first owner in by accepting', async () => {
    await page.goto(server.setupLink);
    const summary = page.getByTestId('invitation-summary');
    await summary.getByText('You are setting up Northwind Constabulary as its Owner.').waitFor();
    await summary.getByText(server.ownerEmail).waitFor();
    await expectAccessible(page, 'the accept-invitation page with its summary');

    await page.getByLabel('Your name').fill('Olivia Owner');
    await page.getByLabel(/^Password/).fill(ownerPassword);
    await page.getByLabel('Repeat the password').fill(ownerPassword);
    await page.getByRole('button', { name: 'Create my account and sign in' }).click();
    await page.waitForURL(/\/users$/);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    // Signed in by the acceptance: the password was not sent a second time to signIn.
    expect(operations).toContain('AcceptInvitation');
    expect(operations).not.toContain('SignIn');
    const stored = await page.evaluate(() => window.sessionStorage.getItem('roster.refreshToken'));
    expect(stored).toEqual(expect.any(String));
  });

  it('says a used or unknown link cannot be used, and what to do instead, without a form', async () => {
    const fresh = (await newPage(browser)).page;
    await fresh.goto(server.setupLink);
    await fresh.getByText('This link cannot be used').waitFor();
    await fresh.getByText(/already been used/).waitFor();
    // What to do instead, and no form to fill in for nothing.
    await fresh.getByRole('link', { name: 'Go to sign-in' }).waitFor();
    expect(await fresh.getByRole('button', { name: 'Create my account and sign in' }).count()).toBe(0);
    expect(await fresh.getByLabel('Your name').count()).toBe(0);
    await expect(fresh.getByTestId('invitation-summary').count()).resolves.toBe(0);

    await fresh.goto(`${server.baseUrl}/accept-invitation#token=not-a-real-token`);
    await fresh.reload();
    await fresh.getByText('This link cannot be used').waitFor();
    await expectAccessible(fresh, 'the accept-invitation page with a dead link');
  });

  it('names the department the person is invited into', async () => {
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    const created = await gql(
      server.app,
      'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id } userErrors { code } } }',
      { i: { name: 'Criminal Investigation Department' } },
      token,
    );
    const departmentId = created.body.data.createDepartment.department.id;
    const invited = await gql(
      server.app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { userErrors { code } } }',
      { i: { invitations: [{ email: 'dana.detective@example.com', role: 'VIEWER', departmentId }] } },
      token,
    );
    expect(invited.body.data.inviteUsers.userErrors).toEqual([]);
    await server.deliverMail();
    const mail = await server.mailTo('dana.detective@example.com', token);
    expect(mail.text).toContain('in Criminal Investigation Department.');
    const link = /https?:\/\/\S+accept-invitation#token=\S+/.exec(mail.text)![0];

    const fresh = (await newPage(browser)).page;
    await fresh.goto(server.local(link));
    const summary = fresh.getByTestId('invitation-summary');
    await summary
      .getByText(
        /invited you to join Northwind Constabulary as Viewer in Criminal Investigation Department\./,
      )
      .waitFor();
    await expectAccessible(fresh, 'the accept-invitation page naming the department');
  });
});
