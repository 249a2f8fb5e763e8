import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';
import { seedOrganisation } from './seed.js';

/**
 * The console end to end: a real server on a free port serving the built console, driven in Debian's
 * Chromium. The steps build on each other (one organisation, its first owner, one invitee), in order.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const screenshots = 'docs/screenshots';
const ownerPassword = 'violet staple harbour lantern 7';
const invitee = {
  email: 'dana.scully@example.com',
  name: 'Dana Scully',
  password: 'quiet meadow copper rocket 42',
};

describe.skipIf(missing !== null)('web console', () => {
  let server: E2EServer;
  let browser: Browser;
  let owner: Page;
  let dana: Page;
  let ownerToken: string;

  /** A screenshot for the README, without the confirmations that may still sit in the corner. */
  const shot = async (page: Page, name: string) => {
    for (const dismiss of await page.getByRole('button', { name: 'Dismiss' }).all()) {
      await dismiss.click({ timeout: 2000 }).catch(() => undefined);
    }
    await page
      .getByRole('button', { name: 'Dismiss' })
      .first()
      .waitFor({ state: 'detached', timeout: 3000 })
      .catch(() => undefined);
    await page.screenshot({ path: `${screenshots}/${name}.png` });
  };
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
  const dialog = (page: Page) => page.getByRole('dialog');
  const go = (page: Page, path: string) => page.goto(`${server.baseUrl}${path}`);
  /** What both browsers showed when a step failed, for the person reading the failure. */
  const keepEvidence = (step: string) =>
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      const name = step.replace(/\W+/g, '-');
      await owner?.screenshot({ path: `.tmp/e2e/${name}-owner.png` }).catch(() => undefined);
      await dana?.screenshot({ path: `.tmp/e2e/${name}-dana.png` }).catch(() => undefined);
      console.warn(`[e2e] screenshots of the failed step in .tmp/e2e/${name}-*.png`);
    });

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    mkdirSync(screenshots, { recursive: true });
    server = await startE2EServer();
    browser = await launchBrowser();
    owner = (await newPage(browser)).page;
    dana = (await newPage(browser)).page;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sets up the first owner through the setup link and lands in the console', async () => {
    keepEvidence('sets-up-the-first-owner-through-the-setu');
    await owner.goto(server.setupLink);
    await owner.getByRole('heading', { name: 'Welcome to Roster' }).waitFor();
    await owner.getByLabel('Your name').fill('Olivia Owner');
    await owner.getByLabel('Job title').fill('Head of Information Security');
    await owner.getByLabel(/^Password/).fill('short');
    await owner.getByText('At least 15 characters (5 so far)').waitFor();
    await owner.getByLabel(/^Password/).fill(ownerPassword);
    await owner.getByLabel('Repeat the password').fill(ownerPassword);
    await expectAccessible(owner, 'the accept-invitation page');
    await shot(owner, 'accept-invitation');
    await owner.getByRole('button', { name: 'Create my account and sign in' }).click();
    await owner.waitForURL(/\/users$/);
    await owner.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await owner.getByText('Olivia Owner').first().waitFor();

    ownerToken = await signInApi(server, server.ownerEmail, ownerPassword);
    await seedOrganisation(server, ownerToken);
  });

  it('invites a person, who accepts from the development mailbox in a second browser', async () => {
    keepEvidence('invites-a-person-who-accepts-from-the-de');
    await mainNav(owner).getByRole('link', { name: 'Invite people' }).click();
    await owner.getByLabel('Email addresses').fill(invitee.email);
    await owner.getByLabel('Message').fill('Welcome to the unit, Dana.');
    await owner.getByText(`1 email inviting to join as`).waitFor();
    await expectAccessible(owner, 'the invite page');
    await shot(owner, 'invite');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByText('1 invitation sent').waitFor();

    await server.deliverMail();
    const mail = await server.mailTo(invitee.email, ownerToken);
    const link = /https?:\/\/\S+\/accept-invitation\S+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();

    await dana.goto(server.local(link!));
    await dana.getByLabel('Your name').fill(invitee.name);
    await dana.getByLabel(/^Password/).fill(invitee.password);
    await dana.getByLabel('Repeat the password').fill(invitee.password);
    await dana.getByRole('button', { name: 'Create my account and sign in' }).click();
    // A viewer may not list users: the console opens on her profile.
    await dana.waitForURL(/\/profile$/);
    await dana.getByRole('heading', { name: 'My profile' }).waitFor();
    expect(await dana.getByLabel(/^Name/).inputValue()).toBe(invitee.name);
    await expect(mainNav(dana).getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);
    await expectAccessible(dana, 'the profile page');
    await shot(dana, 'profile');
  });

  it('filters and searches users, with the view kept in the address', async () => {
    keepEvidence('filters-and-searches-users-with-the-view');
    await go(owner, '/users?cols=email,status,role,departments,lastActive');
    await owner.getByText('Amara Okafor').waitFor();
    // 14 people; the deactivated one (Isaac Turner) is hidden until the status filter asks for it.
    await expect.poll(() => owner.getByTestId('users-count').textContent()).toBe('13 users');
    await expectAccessible(owner, 'the users page');
    await shot(owner, 'users');

    await owner.getByLabel('Search').fill('dana');
    await owner.waitForURL(/q=dana/);
    await expect.poll(() => owner.locator('tbody tr').count()).toBe(1);
    await owner.getByRole('link', { name: invitee.name }).waitFor();

    await owner.getByLabel('Search').fill('');
    await owner.waitForURL((u) => !u.searchParams.has('q'));
    await owner.getByRole('combobox', { name: 'Status' }).click();
    await owner.getByRole('option', { name: 'Suspended' }).click();
    await owner.keyboard.press('Escape');
    await owner.waitForURL(/status=SUSPENDED/);
    await expect.poll(() => owner.getByTestId('users-count').textContent()).toBe('1 user');
    await owner.getByRole('link', { name: 'George Evans' }).waitFor();

    // The address is the view: opened afresh, it shows the same.
    await owner.goto(owner.url());
    await owner.getByRole('link', { name: 'George Evans' }).waitFor();
    await expect.poll(() => owner.locator('tbody tr').count()).toBe(1);

    // Sorting by email, descending, from the column header.
    await go(owner, '/users?signedIn=ever');
    await owner.getByRole('button', { name: 'Email', exact: true }).click();
    await owner.waitForURL(/sort=EMAIL/);
    await owner.getByRole('button', { name: 'Email', exact: true }).click();
    await owner.waitForURL(/dir=desc/);
    const firstRow = owner.locator('tbody tr').first();
    await expect.poll(() => firstRow.textContent()).toContain('olivia.owner@example.com');
  });

  it('changes a role after showing what is gained and lost', async () => {
    keepEvidence('changes-a-role-after-showing-what-is-gai');
    await go(owner, `/users?q=${encodeURIComponent('dana')}`);
    await owner.getByRole('link', { name: invitee.name }).click();
    await owner.getByRole('heading', { name: invitee.name, level: 1 }).waitFor();
    await owner.getByText('Invitation accepted').first().waitFor();
    await expectAccessible(owner, 'the user detail page');
    await shot(owner, 'user-detail');

    await owner.getByRole('button', { name: 'Change role' }).click();
    await dialog(owner).getByRole('combobox', { name: 'New role' }).click();
    await owner.getByRole('option', { name: 'Investigator' }).click();
    const gained = owner.getByTestId('role-diff-gained');
    const lost = owner.getByTestId('role-diff-lost');
    await gained.getByText('Open investigations').waitFor();
    await lost
      .getByText('Read reports', { exact: false })
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    // Gained in green, lost in red.
    const rgb = async (text: string) =>
      (
        await owner
          .getByText(text)
          .first()
          .evaluate((el) => getComputedStyle(el).color)
      )
        .match(/\d+/g)!
        .map(Number);
    const [r, g] = await rgb('Open investigations');
    expect(g).toBeGreaterThan(r! + 40);
    await expectAccessible(owner, 'the change-role dialog');
    await shot(owner, 'change-role');
    await dialog(owner).getByRole('button', { name: 'Change role' }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await owner.getByText('The role is changed.').waitFor();
    await owner.getByText('Role changed').first().waitFor();
  });

  it('suspends with a reason, and the person’s session ends in the other browser', async () => {
    keepEvidence('suspends-with-a-reason-and-the-person-s-');
    await dana.getByRole('heading', { name: 'My profile' }).waitFor();
    await owner.getByRole('button', { name: 'Suspend' }).click();
    await dialog(owner).getByLabel('Reason').fill('Laptop reported stolen');
    await dialog(owner).getByRole('button', { name: 'Suspend' }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await owner.getByText('“Laptop reported stolen”').first().waitFor();
    await owner.getByText('Reactivate').first().waitFor();

    // Her next action finds the session over and sends her to sign in.
    await mainNav(dana).getByRole('link', { name: 'My sessions' }).click();
    await dana.waitForURL(/\/sign-in/);
    await dana.getByText('Your session has ended. Sign in again.').waitFor();
    await dana.getByLabel('Email').fill(invitee.email);
    await dana.getByLabel(/^Password/).fill(invitee.password);
    await dana.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The right password: she is told she is suspended (as the suspend dialog promised), not a generic failure.
    await dana
      .getByRole('alert')
      .getByText(/^Your account is suspended until/)
      .waitFor();
  });

  it('deactivates with a reason and confirmation; the audit log shows it all', async () => {
    keepEvidence('deactivates-with-a-reason-and-confirmati');
    await owner.getByRole('button', { name: 'Deactivate' }).click();
    await dialog(owner).getByLabel('Reason').fill('Left the force');
    const confirm = dialog(owner).getByRole('button', { name: 'Deactivate permanently' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog(owner)
      .getByLabel(/cannot be reactivated/)
      .check();
    await confirm.click();
    await dialog(owner).waitFor({ state: 'detached' });
    await owner.getByText(`${invitee.name} is deactivated.`).waitFor();
    // The status history shows each status with its reason, newest first.
    const statusHistory = owner.getByTestId('status-history');
    await statusHistory.getByText('“Left the force”').waitFor();
    await statusHistory.getByText('“Laptop reported stolen”').waitFor();
    await expect(owner.getByRole('button', { name: 'Suspend' }).count()).resolves.toBe(0);

    await mainNav(owner).getByRole('link', { name: 'Audit log' }).click();
    await owner.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = owner.locator('tbody');
    for (const what of ['Deactivated', 'Suspended', 'Role changed', 'Invitation accepted', 'Invited']) {
      await table.getByRole('button', { name: what, exact: true }).first().waitFor();
    }
    // The owner may verify the trail: the page says whether the hash chain is intact.
    await owner.getByTestId('audit-chain-status').getByText('Audit chain intact').waitFor();
    await expectAccessible(owner, 'the audit log');
    await shot(owner, 'audit-log');

    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain('user.deactivated');
    expect(csv).toContain('Left the force');
  });

  it('lists sessions, invitations and mail, and signs out and in again', async () => {
    keepEvidence('lists-sessions-invitations-and-mail-and-');
    for (const [heading, name] of [
      ['My sessions', 'my-sessions'],
      ['Invitations', 'invitations'],
      ['Mailbox', 'mailbox'],
    ] as const) {
      await mainNav(owner).getByRole('link', { name: heading }).click();
      await owner.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await owner
        .locator('[role=status]')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await owner.locator('table, article').first().waitFor();
      await expectAccessible(owner, `the ${heading} page`);
      await shot(owner, name);
    }

    await owner.getByRole('button', { name: /account menu/i }).click();
    await owner.getByRole('menuitem', { name: 'Sign out' }).click();
    await owner.waitForURL(/\/sign-in$/);
    await expectAccessible(owner, 'the sign-in page');
    await shot(owner, 'sign-in');
    await owner.getByLabel('Email').fill(server.ownerEmail);
    await owner.getByLabel(/^Password/).fill(ownerPassword);
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.waitForURL(/\/users$/);
  });
});
