import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser, pickOption } from './browser.js';
import type { E2EServer } from './e2e-server.js';
import { seedOrganisation } from './seed.js';
import { clippedText, ownerPassword, signedInPage, startWithOwner } from './user-page.js';

/**
 * Issue 11, item 6: a user's departments are changed from the user page (add, remove, choose the primary
 * one), and several people are added to a department from its page. Both only where the API allows
 * (`User.viewerCan.setDepartments`, `Department.viewerCan.placeMembers`).
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const password = 'quiet orchard lamppost 42 sail';
const longName = 'Regional Economic Crime and Asset Recovery Coordination Unit'; // 60 characters

describe.skipIf(missing !== null)('departments of a user', () => {
  let server: E2EServer;
  let browser: Browser;
  let ownerToken: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    const started = await startWithOwner();
    server = started.server;
    ownerToken = started.ownerToken;
    browser = await launchBrowser();
    await seedOrganisation(server, ownerToken);
    await gql(
      server.app,
      'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id } } }',
      { i: { name: longName } },
      ownerToken,
    );
    await createUser(server.rt.services, started.orgId, {
      displayName: 'Fiona Reed',
      email: 'farah.reader@example.com',
      role: 'auditor',
      password,
    });
    const users = await server.rt.services.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('org_id', '=', started.orgId)
      .execute();
    for (const u of users) ids.set(u.display_name, u.id);
    const departments = await server.rt.services.db
      .selectFrom('departments')
      .select(['id', 'name'])
      .where('org_id', '=', started.orgId)
      .execute();
    for (const d of departments) ids.set(d.name, d.id);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A user's placement as the API reports it: department names, the primary one marked. */
  async function placement(name: string): Promise<string[]> {
    const r = await gql(
      server.app,
      'query($id: ID!) { user(id: $id) { departments { isPrimary department { name } } } }',
      { id: ids.get(name) },
      ownerToken,
    );
    return r.body.data.user.departments.map(
      (d: { isPrimary: boolean; department: { name: string } }) =>
        `${d.department.name}${d.isPrimary ? ' (primary)' : ''}`,
    );
  }

  it('adds a department, makes it primary and removes the old one, from the user page', async () => {
    expect(await placement('Ben Hughes')).toEqual(['Serious Crime (primary)']);
    const { context, page } = await signedInPage(browser, server, server.ownerEmail, ownerPassword);
    try {
      await page.goto(`${server.baseUrl}/users/${ids.get('Ben Hughes')}`);
      await page.getByRole('heading', { name: 'Ben Hughes', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Change departments' }).click();
      const dialog = page.getByRole('dialog', { name: 'Departments of Ben Hughes' });
      await dialog.waitFor();
      await pickOption(dialog.getByLabel('Add a department'), 'Regional', { name: longName });
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.getByRole('radio', { name: `Make ${longName} the primary department` }).check();
      await expectAccessible(page, 'the departments dialog');
      await dialog.getByRole('button', { name: 'Save departments' }).click();
      await page.getByText('The departments of Ben Hughes are saved.').waitFor();
      expect(await placement('Ben Hughes')).toEqual([`${longName} (primary)`, 'Serious Crime']);
      const status = page.getByRole('region', { name: 'Status' });
      await expect.poll(() => status.innerText()).toContain(`${longName} (primary)`);
      // The 60-character name is shown whole at 1366×768.
      expect(await clippedText(page, 'section[aria-labelledby="status-title"] .mantine-Badge-label')).toEqual(
        [],
      );

      await page.getByRole('button', { name: 'Change departments' }).click();
      await dialog.getByRole('button', { name: 'Remove Serious Crime' }).click();
      await dialog.getByRole('button', { name: 'Save departments' }).click();
      await page.getByText('The departments of Ben Hughes are saved.').first().waitFor();
      await expect.poll(() => placement('Ben Hughes')).toEqual([`${longName} (primary)`]);
      await expect.poll(() => status.innerText()).not.toContain('Serious Crime');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('adds several people to a department from its page', async () => {
    expect(await placement('Lucy Bennett')).toEqual(['Intelligence (primary)']);
    const { context, page } = await signedInPage(browser, server, server.ownerEmail, ownerPassword);
    try {
      await page.goto(`${server.baseUrl}/departments/${ids.get('Operations')}`);
      const members = page.getByRole('region', { name: 'Members' });
      await expect.poll(() => members.getByTestId('members-count').innerText()).toBe('5 members');
      await members.getByRole('button', { name: 'Add members' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add members to Operations' });
      const people = dialog.getByRole('combobox', { name: 'People' });
      await people.fill('Lucy');
      await page.getByRole('option', { name: /^Lucy Bennett/ }).click();
      await people.fill('Chloe');
      await page.getByRole('option', { name: /^Chloe Martin/ }).click();
      // A member already is not offered.
      await people.fill('Amara');
      await expect
        .poll(() => page.getByRole('option', { name: /^Amara Okafor .*already a member/ }).isDisabled())
        .toBe(true);
      await people.fill('');
      // Close the list of people (a click elsewhere in the dialog), as a person would before adding.
      await dialog.getByText('They keep their other departments.', { exact: false }).click();
      await page.getByRole('listbox').waitFor({ state: 'hidden' });
      await expectAccessible(page, 'the add-members dialog');
      await dialog.getByRole('button', { name: 'Add 2 people' }).click();
      await page.getByText('2 people are added to Operations.').waitFor();
      await expect.poll(() => members.getByTestId('members-count').innerText()).toBe('7 members');
      expect(await placement('Lucy Bennett')).toEqual(['Intelligence (primary)', 'Operations']);
      expect(await placement('Chloe Martin')).toEqual(['Serious Crime (primary)', 'Operations']);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('offers neither change to a viewer who may only read', async () => {
    const { context, page } = await signedInPage(browser, server, 'farah.reader@example.com', password);
    try {
      await page.goto(`${server.baseUrl}/users/${ids.get('Daniel Price')}`);
      await page.getByRole('heading', { name: 'Daniel Price', level: 1 }).waitFor();
      await page.getByRole('region', { name: 'Status' }).getByText('Intelligence (primary)').waitFor();
      expect(await page.getByRole('button', { name: 'Change departments' }).count()).toBe(0);
      await page.goto(`${server.baseUrl}/departments/${ids.get('Intelligence')}`);
      await page.getByRole('region', { name: 'Members' }).getByTestId('members-count').waitFor();
      await expect.poll(() => page.getByTestId('members-count').innerText()).toMatch(/members/);
      expect(await page.getByRole('button', { name: 'Add members' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);
});
