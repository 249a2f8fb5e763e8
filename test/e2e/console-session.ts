import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RoleKey } from '../../src/authz/roles.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import type { E2EServer } from './e2e-server.js';

/** The first owner sets their password through the setup link's token (what the accept page does). */
export async function acceptOwnerSetup(server: E2EServer, password: string): Promise<void> {
  const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
  const accepted = await gql(
    server.app,
    'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code message } } }',
    { i: { token, password, displayName: 'Olivia Owner' } },
  );
  expect(accepted.body.data?.acceptInvitation?.userErrors).toEqual([]);
}

/** An active person of the server's organisation with a password and a role. */
export async function createPerson(
  server: E2EServer,
  o: { name: string; role: RoleKey; password: string },
): Promise<{ id: string; email: string }> {
  const org = await server.rt.services.db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', server.orgSlug)
    .executeTakeFirstOrThrow();
  const email = `${o.name.toLowerCase().replace(/ /g, '.')}@example.com`;
  const user = await createUser(server.rt.services, org.id, {
    displayName: o.name,
    email,
    role: o.role,
    password: o.password,
  });
  return { id: user.id, email };
}

/** Signs in through the console's sign-in page and waits for the first page after it. */
export async function signInBrowser(page: Page, server: E2EServer, email: string, password: string) {
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Past the start page too: "/" redirects (to /users or /profile) once the permissions are in, and a click
  // made before that redirect would be overtaken by it on a loaded machine.
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in') && u.pathname !== '/');
}

export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

/**
 * A person without the permission: the navigation has no entry for the page, and its address shows the
 * plain no-access page (not the page's controls).
 */
export async function expectNoAccess(page: Page, server: E2EServer, path: string, navLabel: string) {
  await mainNav(page).getByRole('link', { name: 'My profile' }).waitFor();
  expect(await mainNav(page).getByRole('link', { name: navLabel }).count()).toBe(0);
  await page.goto(`${server.baseUrl}${path}`);
  await page.getByRole('heading', { name: 'You don’t have access to this page', level: 1 }).waitFor();
}
