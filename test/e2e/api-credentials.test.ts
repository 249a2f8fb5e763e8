import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { authenticateScimToken } from '../../src/domain/api-credentials/authenticate-scim-token.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage, pickOption } from './browser.js';
import { acceptOwnerSetup, createPerson, expectNoAccess, mainNav, signInBrowser } from './console-session.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * API credentials in the console: the owner makes a SCIM token (its secret shown once), rotates it (the
 * old secret dies), revokes it; makes a personal API token on My security and uses it on the API. A
 * person without api_credentials:manage has no such page.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const viewerPassword = 'copper meadow lantern quietly 9';

describe.skipIf(missing !== null)('API credentials in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let viewerEmail: string;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    viewerEmail = (
      await createPerson(server, { name: 'Farah Khan', role: 'viewer', password: viewerPassword })
    ).email;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const scimWorks = (secret: string) =>
    authenticateScimToken(server.rt.services, `Bearer ${secret}`, {}).then(
      () => true,
      () => false,
    );

  it('creates a SCIM token, shows its secret once, rotates and revokes it', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'API credentials' }).click();
    await page.getByRole('heading', { name: 'API credentials', level: 1 }).waitFor();
    await page.getByText('No SCIM tokens yet.').waitFor();
    // keyboard: type the name and press Enter to submit the form
    await page.getByLabel('Name', { exact: true }).fill('Entra ID');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    const shown = page.getByTestId('new-secret');
    await shown.waitFor();
    const first = await shown.inputValue();
    expect(first).toMatch(/^rst_scim_[0-9a-f]{32}_/);
    expect(await scimWorks(first)).toBe(true);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await expect.poll(() => page.getByTestId('scim-token-row').count()).toBe(1);
    await expectAccessible(page, 'API credentials');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-secret').count()).toBe(0);

    await page.getByRole('button', { name: 'Rotate Entra ID' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await expect
      .poll(async () => (await shown.count()) > 0 && (await shown.inputValue()) !== first)
      .toBe(true);
    const second = await shown.inputValue();
    expect(await scimWorks(first)).toBe(false);
    expect(await scimWorks(second)).toBe(true);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'Revoke Entra ID' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByTestId('scim-token-row').getByText('Revoked').waitFor();
    expect(await scimWorks(second)).toBe(false);
    await context.close();
  });

  it('makes a personal API token on My security that works on the API', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'My security' }).click();
    await page.getByRole('heading', { name: 'Personal API tokens' }).waitFor();
    await page.getByLabel('Name of the new token').fill('Report script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-secret');
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^rst_pat_/);
    const me = await gql(server.app, '{ viewer { email } }', undefined, secret);
    expect(me.body.data.viewer.email).toBe(server.ownerEmail);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke Report script' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByTestId('personal-token-row').getByText('Revoked').waitFor();
    expect((await gql(server.app, '{ viewer { email } }', undefined, secret)).body.data.viewer).toBeNull();
    await context.close();
  });

  it('narrows a personal token to chosen permissions: it can do those and nothing else of the role', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'My security' }).click();
    await page.getByRole('heading', { name: 'Personal API tokens' }).waitFor();
    await page.getByLabel('Name of the new token').fill('Directory sync');
    await pickOption(page.getByRole('combobox', { name: 'Only these permissions' }), 'See users', {
      name: 'See users and their profiles',
    });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-secret');
    await shown.waitFor();
    const secret = await shown.inputValue();
    await page.getByRole('button', { name: 'Done' }).click();
    await page
      .getByTestId('personal-token-row')
      .filter({ hasText: 'Directory sync' })
      .getByText('See users and their profiles')
      .waitFor();
    const users = await gql(server.app, '{ users(first: 1) { edges { node { id } } } }', undefined, secret);
    expect(users.body.errors).toBeUndefined();
    const roles = await gql(server.app, '{ roles { key } }', undefined, secret);
    expect(roles.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await context.close();
  });

  it('is not there for a person without api_credentials:manage', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, viewerEmail, viewerPassword);
    await expectNoAccess(page, server, '/api-credentials', 'API credentials');
    await context.close();
  });
});
