import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import type { RoleKey } from '../../src/authz/roles.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage, pickOption } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * Departments, the cost report and the roles in the console, end to end: the owner builds a small tree
 * through the console and names a manager; the manager (role Viewer) signs in in a second browser and sees
 * only the users and departments of the subtree they manage. The steps build on each other, in order.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const screenshots = 'docs/screenshots';
const ownerPassword = 'violet staple harbour lantern 7';
const managerPassword = 'amber kettle orchard signal 19';
const manager = { name: 'Mona Manager', email: 'mona.manager@example.com' };

/** People placed in the tree once it exists: [name, role, primary department]. */
const people: [string, RoleKey, string][] = [
  ['Sara Crime', 'investigator', 'Serious Crime Division'],
  ['Sam Fraud', 'analyst', 'Fraud Unit'],
  ['Cyd Cyber', 'analyst', 'Cyber Team'],
  ['Otto Ops', 'viewer', 'Directorate of Operations'],
  ['Cora Corporate', 'finance', 'Corporate Services'],
];

describe.skipIf(missing !== null)('departments, cost report and roles in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let owner: Page;
  let mona: Page;
  let ownerToken: string;
  const ids = new Map<string, string>();

  /** A screenshot without the confirmations in the corner or a tooltip under the pointer. */
  const shot = async (page: Page, name: string) => {
    await page.mouse.move(0, 0);
    for (const close of await page.getByRole('button', { name: 'Dismiss' }).all()) {
      await close.click({ timeout: 2_000 }).catch(() => undefined);
    }
    await expect.poll(() => page.locator('.mantine-Notification-root').count()).toBe(0);
    await page.screenshot({ path: `${screenshots}/${name}.png` });
  };
  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
  const dialog = (page: Page) => page.getByRole('dialog');
  const tree = (page: Page) => page.getByRole('tree', { name: 'Departments' });
  const item = (page: Page, name: string) => tree(page).getByRole('treeitem', { name, exact: false });
  const go = (page: Page, path: string) => page.goto(`${server.baseUrl}${path}`);
  const settled = (page: Page) =>
    page
      .locator('[role=status]')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
  const keepEvidence = (step: string) =>
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      const name = `departments-${step.replace(/\W+/g, '-')}`;
      await owner?.screenshot({ path: `.tmp/e2e/${name}-owner.png` }).catch(() => undefined);
      await mona?.screenshot({ path: `.tmp/e2e/${name}-manager.png` }).catch(() => undefined);
      console.warn(`[e2e] screenshots of the failed step in .tmp/e2e/${name}-*.png`);
    });

  async function signIn(page: Page, email: string, password: string) {
    await go(page, '/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }

  /** Fills and submits the create/edit dialog. */
  async function departmentForm(
    page: Page,
    fields: { name: string; code?: string; costCentre?: string; rate?: string },
    submit: string,
  ) {
    const d = dialog(page);
    await d.getByLabel(/^Name/).fill(fields.name);
    if (fields.code) await d.getByLabel(/^Code/).fill(fields.code);
    if (fields.costCentre) await d.getByLabel(/^Cost centre/).fill(fields.costCentre);
    if (fields.rate) await d.getByLabel(/^Monthly cost per seat/).fill(fields.rate);
    await d.getByRole('button', { name: submit }).click();
    await d.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    mkdirSync(screenshots, { recursive: true });
    server = await startE2EServer();
    browser = await launchBrowser();
    owner = (await newPage(browser)).page;
    mona = (await newPage(browser)).page;
    // The first owner's setup is the console test's subject; here it is done through the API.
    const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
    const accepted = await gql(
      server.app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code message } } }',
      { i: { token, password: ownerPassword, displayName: 'Olivia Owner' } },
    );
    expect(accepted.body.data?.acceptInvitation?.userErrors).toEqual([]);
    ownerToken = await signInApi(server, server.ownerEmail, ownerPassword);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('builds a small tree through the console: create, sub-departments, search, move', async () => {
    keepEvidence('builds-a-tree');
    await signIn(owner, server.ownerEmail, ownerPassword);
    await mainNav(owner).getByRole('link', { name: 'Departments' }).click();
    await owner.getByRole('heading', { name: 'Departments', level: 1 }).waitFor();
    await owner.getByText('No departments yet').waitFor();

    await owner.getByRole('button', { name: 'New department' }).click();
    await departmentForm(
      owner,
      { name: 'Directorate of Operations', code: 'ops', costCentre: 'CC-100', rate: '50' },
      'Create department',
    );
    await item(owner, 'Directorate of Operations').click();
    await owner.getByRole('button', { name: 'New sub-department' }).click();
    await dialog(owner)
      .getByRole('heading', { name: 'New department in Directorate of Operations' })
      .waitFor();
    await departmentForm(owner, { name: 'Serious Crime Division', code: 'SCD' }, 'Create department');
    // A new department is selected: its own sub-department goes under it.
    await owner.getByRole('heading', { name: 'Serious Crime Division', level: 2 }).waitFor();
    await owner.getByRole('button', { name: 'New sub-department' }).click();
    await departmentForm(owner, { name: 'Fraud Unit', code: 'FRAUD', rate: '80' }, 'Create department');
    await owner.getByRole('button', { name: 'New department' }).click();
    await departmentForm(
      owner,
      { name: 'Corporate Services', code: 'CORP', costCentre: 'CC-200', rate: '30' },
      'Create department',
    );
    await owner.getByRole('button', { name: 'New department' }).click();
    await departmentForm(owner, { name: 'Cyber Team', code: 'CYBER' }, 'Create department');
    await expect.poll(() => owner.getByTestId('departments-count').textContent()).toBe('5 departments');

    // The keyboard: Home, ↓ to the next department, ← closes, → opens then enters, ← back to the parent.
    const focused = () => owner.evaluate(() => document.activeElement?.textContent ?? '');
    await item(owner, 'Corporate Services').focus();
    await owner.keyboard.press('Home');
    await expect.poll(focused).toContain('Corporate Services');
    await owner.keyboard.press('ArrowDown');
    await owner.keyboard.press('ArrowDown');
    await expect.poll(focused).toContain('Directorate of Operations');
    expect(await item(owner, 'Directorate of Operations').getAttribute('aria-expanded')).toBe('true');
    await owner.keyboard.press('ArrowDown');
    await expect.poll(focused).toContain('Serious Crime Division');
    await owner.keyboard.press('ArrowLeft');
    await expect
      .poll(() => item(owner, 'Serious Crime Division').getAttribute('aria-expanded'))
      .toBe('false');
    await expect(item(owner, 'Fraud Unit').count()).resolves.toBe(0);
    await owner.keyboard.press('ArrowRight');
    await item(owner, 'Fraud Unit').waitFor();
    await owner.keyboard.press('ArrowRight');
    await expect.poll(focused).toContain('Fraud Unit');
    await owner.keyboard.press('ArrowLeft');
    await expect.poll(focused).toContain('Serious Crime Division');

    // Search by code reveals the match with its ancestors, and only them.
    await owner.getByLabel('Search departments').fill('fraud');
    await item(owner, 'Fraud Unit').waitFor();
    await expect.poll(() => tree(owner).getByRole('treeitem').count()).toBe(3);
    await expect(item(owner, 'Corporate Services').count()).resolves.toBe(0);
    await owner.getByLabel('Search departments').fill('');

    // Move with the picker: into its own subtree is refused by the server, with its message.
    await item(owner, 'Directorate of Operations').click();
    await owner.getByRole('button', { name: 'Move', exact: true }).click();
    await pickOption(dialog(owner).getByRole('combobox', { name: 'New parent department' }), 'Fraud', {
      name: /Fraud Unit/,
    });
    await dialog(owner).getByRole('button', { name: 'Move', exact: true }).click();
    await dialog(owner)
      .getByText('A department cannot be moved into itself or into its own subtree.')
      .waitFor();
    await dialog(owner).getByRole('button', { name: 'Cancel' }).click();

    // Move by dragging Cyber Team onto Serious Crime Division, then confirming.
    await item(owner, 'Cyber Team').dragTo(item(owner, 'Serious Crime Division'));
    await dialog(owner).getByRole('heading', { name: 'Move Cyber Team' }).waitFor();
    expect(
      await dialog(owner).getByRole('combobox', { name: 'New parent department' }).inputValue(),
    ).toContain('Serious Crime Division');
    await dialog(owner).getByRole('button', { name: 'Move', exact: true }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await owner.getByText('Cyber Team is moved.').waitFor();
    await item(owner, 'Serious Crime Division').click();
    await owner.keyboard.press('ArrowRight');
    await item(owner, 'Cyber Team').waitFor();
    expect(await item(owner, 'Cyber Team').getAttribute('aria-level')).toBe('3');

    // People in the tree (placing users is the users pages' subject: done through the API).
    const org = await server.rt.services.db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', server.orgSlug)
      .executeTakeFirstOrThrow();
    const departments = await gql(server.app, '{ departments { id name } }', undefined, ownerToken);
    for (const d of departments.body.data.departments as { id: string; name: string }[])
      ids.set(d.name, d.id);
    const place = async (userId: string, department: string) => {
      const r = await gql(
        server.app,
        'mutation($i: SetUserDepartmentsInput!) { setUserDepartments(input: $i) { userErrors { message } } }',
        { i: { userId, primaryDepartmentId: ids.get(department) } },
        ownerToken,
      );
      expect(r.body.data.setUserDepartments.userErrors).toEqual([]);
    };
    for (const [name, role, department] of people) {
      const email = `${name.toLowerCase().replace(' ', '.')}@example.com`;
      const user = await createUser(server.rt.services, org.id, { displayName: name, email, role });
      await place(user.id, department);
    }
    const mm = await createUser(server.rt.services, org.id, {
      displayName: manager.name,
      email: manager.email,
      role: 'viewer',
      password: managerPassword,
    });
    await place(mm.id, 'Directorate of Operations');

    // Selecting a department asks for its summary again: another department first, then back.
    await item(owner, 'Corporate Services').click();
    await owner.getByText('1 direct member, 1 with its sub-departments').waitFor();
    await item(owner, 'Serious Crime Division').click();
    await owner.getByText('1 direct member, 3 with its sub-departments').waitFor();
    await expectAccessible(owner, 'the departments page');
    await shot(owner, 'departments');
  });

  it('names a manager on the department page, which shows members, seats and cost', async () => {
    keepEvidence('names-a-manager');
    await item(owner, 'Serious Crime Division').focus();
    await owner.keyboard.press('Enter');
    await owner.waitForURL(/\/departments\/[0-9a-f-]{36}$/);
    await owner.getByRole('heading', { name: 'Serious Crime Division', level: 1 }).waitFor();
    // Rate and cost centre come from the parent.
    const details = owner.getByRole('region', { name: 'Details', exact: true });
    await details.getByText('50.00 (inherited from Directorate of Operations)').waitFor();
    await details.getByText('CC-100 (inherited from Directorate of Operations)').waitFor();

    const managers = owner.getByRole('region', { name: 'Managers', exact: true });
    await managers.getByText('No manager is named.', { exact: false }).waitFor();
    await managers.getByRole('button', { name: 'Edit managers' }).click();
    await pickOption(dialog(owner).getByRole('combobox', { name: 'Managers' }), 'Mona', {
      name: /Mona Manager/,
    });
    // The list stays open for more choices; leaving the field closes it.
    await dialog(owner).getByText('Only active or invited users can be named.', { exact: false }).click();
    await dialog(owner).getByRole('button', { name: 'Save managers' }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await managers.getByRole('link', { name: manager.name }).waitFor();

    // Members: this department's, then with its sub-departments.
    const members = owner.getByRole('region', { name: 'Members', exact: true });
    await members.getByRole('link', { name: 'Sara Crime' }).waitFor();
    await expect.poll(() => members.locator('tbody tr').count()).toBe(1);
    await members.getByText('With sub-departments').click();
    await members.getByRole('link', { name: 'Sam Fraud' }).waitFor();
    await expect.poll(() => members.locator('tbody tr').count()).toBe(3);

    // Seats and cost of the subtree: 3 active seats, Fraud Unit at its own 80, the rest at the inherited 50.
    const costs = owner.getByRole('region', { name: 'Seats and cost', exact: true });
    await costs
      .getByRole('row', { name: /Monthly cost/ })
      .getByText('180.00')
      .waitFor();

    // The managers' permissions: the default set.
    await owner.getByRole('region', { name: 'Permissions', exact: true }).getByText('Default set').waitFor();
    await settled(owner);
    await expectAccessible(owner, 'the department page');
    await shot(owner, 'department');

    // The manager's effective permissions say where they come from, and where they apply.
    await managers.getByRole('link', { name: manager.name }).click();
    await owner.getByRole('heading', { name: manager.name, level: 1 }).waitFor();
    const monaRights = owner.getByTestId('effective-permissions');
    const invite = monaRights.getByRole('row', { name: /Invite new users/ });
    await invite.getByText('Manager of Serious Crime Division').waitFor();
    await invite.getByText('Department Serious Crime Division and below').waitFor();
    await monaRights
      .getByRole('row', { name: /Read reports/ })
      .getByText('Role Viewer')
      .waitFor();
    await monaRights
      .getByRole('row', { name: /Read reports/ })
      .getByText('Whole organisation')
      .waitFor();
    await expectAccessible(owner, 'a user page with effective permissions');
  });

  it('maps a department to a role for the people SCIM adds to it, from its edit form', async () => {
    await go(owner, `/departments/${ids.get('Fraud Unit')}`);
    await owner.getByRole('heading', { name: 'Fraud Unit', level: 1 }).waitFor();
    await owner.getByRole('button', { name: 'Edit', exact: true }).click();
    const role = dialog(owner).getByLabel('Role for members added by SCIM');
    await expect.poll(() => role.inputValue()).toBe('None');
    await role.click();
    // Only roles a group may grant are offered: no privileged one.
    await expect.poll(() => owner.getByRole('option', { name: 'User Manager' }).count()).toBe(1);
    expect(await owner.getByRole('option', { name: 'Administrator' }).count()).toBe(0);
    await owner.getByRole('option', { name: 'User Manager' }).click();
    await dialog(owner).getByRole('button', { name: 'Save', exact: true }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    const stored = () =>
      server.rt.services.db
        .selectFrom('departments')
        .select('scim_role')
        .where('id', '=', ids.get('Fraud Unit')!)
        .executeTakeFirstOrThrow();
    await expect.poll(async () => (await stored()).scim_role).toBe('user_manager');
    // And back to none, so the tests after this one see the department as it was.
    await owner.getByRole('button', { name: 'Edit', exact: true }).click();
    await dialog(owner).getByLabel('Role for members added by SCIM').click();
    await owner.getByRole('option', { name: 'None' }).click();
    await dialog(owner).getByRole('button', { name: 'Save', exact: true }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await expect.poll(async () => (await stored()).scim_role).toBeNull();
  });

  it('adds a permission to a department; members hold it, shown with its source', async () => {
    keepEvidence('department-permissions');
    await go(owner, `/departments/${ids.get('Fraud Unit')}`);
    await owner.getByRole('heading', { name: 'Fraud Unit', level: 1 }).waitFor();
    const permissions = owner.getByRole('region', { name: 'Permissions', exact: true });
    await permissions.getByText('None: members hold what their role grants.').waitFor();
    await permissions.getByRole('button', { name: 'Edit permissions' }).click();
    await dialog(owner)
      .getByRole('checkbox', { name: /Export investigation material/ })
      .check();
    await dialog(owner).getByRole('button', { name: 'Save permissions' }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await permissions.getByText('Export investigation material').waitFor();

    // Sam Fraud (Analyst, in the Fraud Unit) now holds it through the department.
    await owner
      .getByRole('region', { name: 'Members', exact: true })
      .getByRole('link', { name: 'Sam Fraud' })
      .click();
    await owner.getByRole('heading', { name: 'Sam Fraud', level: 1 }).waitFor();
    const exportRow = owner
      .getByTestId('effective-permissions')
      .getByRole('row', { name: /Export investigation material/ });
    await exportRow.getByText('Department Fraud Unit (primary membership)').waitFor();

    // The role-change preview: Analyst to Viewer loses report permissions, keeps the department's.
    await owner.getByRole('button', { name: 'Change role' }).click();
    await dialog(owner).getByRole('combobox', { name: 'New role' }).click();
    await owner.getByRole('option', { name: 'Viewer', exact: true }).click();
    const lost = owner.getByTestId('role-diff-lost');
    await lost.getByText('Create reports').waitFor();
    await lost.getByText('Role Analyst').first().waitFor();
    await dialog(owner)
      .getByText(/through departments or management rather than the role: Export investigation material/)
      .waitFor();
    await expectAccessible(owner, 'the change-role dialog with sources');
    await dialog(owner).getByRole('button', { name: 'Cancel' }).click();
    await dialog(owner).waitFor({ state: 'detached' });
  });

  it('the manager (role Viewer) sees only the users and departments of their subtree', async () => {
    keepEvidence('manager-subtree');
    await signIn(mona, manager.email, managerPassword);
    await mainNav(mona).getByRole('link', { name: 'Departments' }).waitFor();

    // The navigation follows what the viewer holds anywhere: a manager finds the users table by the menu.
    await mainNav(mona).getByRole('link', { name: 'Users' }).click();
    await mona.getByRole('link', { name: 'Sara Crime' }).waitFor();
    await expect.poll(() => mona.getByTestId('users-count').textContent()).toBe('3 users');
    const names = await mona.locator('tbody tr td:first-child').allTextContents();
    expect(names.join(' | ')).toContain('Sam Fraud');
    expect(names.join(' | ')).toContain('Cyd Cyber');
    for (const outside of ['Otto Ops', 'Cora Corporate', 'Olivia Owner', manager.name]) {
      expect(names.join(' | ')).not.toContain(outside);
    }

    await mainNav(mona).getByRole('link', { name: 'Departments' }).click();
    await item(mona, 'Serious Crime Division').waitFor();
    await expect.poll(() => mona.getByTestId('departments-count').textContent()).toBe('3 departments');
    await expect(item(mona, 'Directorate of Operations').count()).resolves.toBe(0);
    await expect(item(mona, 'Corporate Services').count()).resolves.toBe(0);
    await item(mona, 'Serious Crime Division').getByText('You manage').waitFor();
    // Reading is all: no department management for a Viewer.
    await expect(mona.getByRole('button', { name: 'New department' }).count()).resolves.toBe(0);

    // On the department she manages, the page offers only what the API says she may do: no management.
    await go(mona, `/departments/${ids.get('Serious Crime Division')}`);
    await mona.getByRole('heading', { name: 'Serious Crime Division', level: 1 }).waitFor();
    await mona.getByText('You manage it').waitFor();
    for (const action of [
      'New sub-department',
      'Edit',
      'Move',
      'Archive',
      'Edit managers',
      'Edit permissions',
    ]) {
      await expect(mona.getByRole('button', { name: action, exact: true }).count(), action).resolves.toBe(0);
    }

    // A department outside the subtree is refused.
    await go(mona, `/departments/${ids.get('Corporate Services')}`);
    await mona.getByText('That department is outside the departments you manage.').waitFor();
  });

  it('archives a department: refused while it has members, done with its members moved', async () => {
    keepEvidence('archive');
    await go(owner, `/departments?selected=${ids.get('Cyber Team')}`);
    await owner.getByRole('heading', { name: 'Cyber Team', level: 2 }).waitFor();
    await owner.getByRole('button', { name: 'Archive', exact: true }).click();
    await dialog(owner)
      .getByText('1 member (invited, active or suspended) must move', { exact: false })
      .waitFor();
    await dialog(owner).getByRole('button', { name: 'Archive', exact: true }).click();
    await dialog(owner)
      .getByText('The department or its subtree still has members or live sub-departments.')
      .waitFor();
    await pickOption(dialog(owner).getByRole('combobox', { name: 'Move its members to' }), 'Serious', {
      name: /Serious Crime Division$/,
    });
    await dialog(owner).getByRole('button', { name: 'Archive', exact: true }).click();
    await dialog(owner).waitFor({ state: 'detached' });
    await owner.getByText('Cyber Team is archived.').waitFor();
    await expect.poll(() => owner.getByTestId('departments-count').textContent()).toBe('4 departments');
    await expect(item(owner, 'Cyber Team').count()).resolves.toBe(0);
    await item(owner, 'Serious Crime Division').click();
    await owner.getByText('2 direct members, 3 with its sub-departments').waitFor();
  });

  it('opens the cost report and exports it as CSV, by department and by cost centre', async () => {
    keepEvidence('cost-report');
    await mainNav(owner).getByRole('link', { name: 'Cost report' }).click();
    await owner.getByRole('heading', { name: 'Cost report', level: 1 }).waitFor();
    // 6 active seats: Sara, Cyd and Otto and Mona at 50, Sam at 80, Cora at 30.
    await expect.poll(() => owner.getByTestId('total-billable-seats').textContent()).toBe('6');
    await expect.poll(() => owner.getByTestId('total-monthly-cost').textContent()).toBe('310.00');
    const perCentre = owner.getByRole('region', { name: 'Cost per cost centre' });
    await perCentre
      .getByRole('row', { name: /CC-100/ })
      .getByText('280.00')
      .waitFor();
    await perCentre
      .getByRole('row', { name: /CC-200/ })
      .getByText('30.00')
      .waitFor();
    await settled(owner);
    await expectAccessible(owner, 'the cost report');
    await shot(owner, 'cost-report');

    for (const [button, expected] of [
      ['Export CSV by department', 'Fraud Unit'],
      ['Export CSV by cost centre', 'CC-200'],
    ] as const) {
      const [download] = await Promise.all([
        owner.waitForEvent('download'),
        owner.getByRole('button', { name: button }).click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      expect(csv).toContain(expected);
      expect(csv.split('\n').length).toBeGreaterThan(2);
    }
    await owner.getByText('The cost report is downloaded.').first().waitFor();

    // As of yesterday nobody had a seat yet (the people were placed today).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await owner.getByLabel('As of').fill(yesterday);
    await owner.waitForURL(/asOf=/);
    await expect.poll(() => owner.getByTestId('total-billable-seats').textContent()).toBe('0');
  });

  it('compares two roles side by side', async () => {
    keepEvidence('roles');
    await mainNav(owner).getByRole('link', { name: 'Roles' }).click();
    await owner.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    await owner.getByRole('button', { name: /Investigator/ }).click();
    await owner
      .getByRole('region', { name: /Investigator/ })
      .getByText('Export investigation material')
      .waitFor();

    await owner.getByRole('combobox', { name: 'From role' }).click();
    await owner.getByRole('option', { name: 'Viewer', exact: true }).click();
    await owner.getByRole('combobox', { name: 'To role' }).click();
    await owner.getByRole('option', { name: 'Investigator', exact: true }).click();
    await owner.waitForURL(/from=VIEWER&to=INVESTIGATOR/);
    const table = owner.getByTestId('role-comparison');
    const gained = table.locator('tr[data-change=gained]');
    await gained.filter({ hasText: 'Open investigations' }).getByText('Gained').waitFor();
    await expect.poll(() => table.locator('tr[data-change=lost]').count()).toBe(0);
    await expect.poll(() => table.locator('tr[data-change=kept]').count()).toBe(3);
    // Gained reads green (and says "Gained"); lost red.
    const rgb = (
      await gained
        .first()
        .locator('th p')
        .first()
        .evaluate((el) => getComputedStyle(el).color)
    )
      .match(/\d+/g)!
      .map(Number);
    expect(rgb[1]).toBeGreaterThan(rgb[0]! + 40);

    await settled(owner);
    await expectAccessible(owner, 'the roles page');
    await owner.evaluate(() => window.scrollTo(0, 0));
    await shot(owner, 'roles');

    await owner.getByRole('button', { name: 'Swap the roles' }).click();
    await owner.waitForURL(/from=INVESTIGATOR&to=VIEWER/);
    await table
      .locator('tr[data-change=lost]')
      .filter({ hasText: 'Open investigations' })
      .getByText('Lost')
      .waitFor();
    const red = (
      await table
        .locator('tr[data-change=lost] th p')
        .first()
        .evaluate((el) => getComputedStyle(el).color)
    )
      .match(/\d+/g)!
      .map(Number);
    expect(red[0]).toBeGreaterThan(red[1]! + 40);
  });
});
