import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { createPerson, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * Passwords in the console, end to end: changing one's own password on "My security" (a wrong current
 * password is named as such, the other sessions end), and the forgotten-password journey from the sign-in
 * page through the emailed link to signing in with the new password, the link working once.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const first = 'copper lantern meadow violin 31';
const second = 'quiet harbour saffron pebble 58';
const third = 'amber thistle orbit canyon 94';

describe.skipIf(missing !== null)('passwords in the console', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;
  let person: { id: string; email: string };
  let admin: { id: string; email: string };

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    person = await createPerson(server, { name: 'Petra Password', role: 'viewer', password: first });
    admin = await createPerson(server, { name: 'Max Mailbox', role: 'administrator', password: first });
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('changes one’s own password on My security; the other sessions end, this one stays', async () => {
    const other = await signInApi(server, person.email, first);
    await signInBrowser(page, server, person.email, first);
    await page.goto(`${server.baseUrl}/me/security`);
    const section = page.getByRole('region', { name: 'Password' });
    await section.getByLabel(/^Current password/).fill('not my password at all 1');
    await section.getByLabel(/^New password/).fill(second);
    await section.getByLabel(/^Repeat the new password/).fill(second);
    await expectAccessible(page, 'My security with the password form filled in');
    await section.getByRole('button', { name: 'Change password' }).click();
    await section.getByText(/current password is not correct|not your current password/i).waitFor();

    await section.getByLabel(/^Current password/).fill(first);
    await section.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Your password is changed/).waitFor();
    // The fields are emptied for the next change.
    expect(await section.getByLabel(/^New password/).inputValue()).toBe('');

    // The API session opened before the change is gone; this tab still works.
    const ended = await gql(server.app, '{ viewer { id } organization { id } }', undefined, other);
    expect(ended.body.data?.viewer ?? null).toBeNull();
    expect(ended.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await page.reload();
    await page.getByRole('region', { name: 'Password' }).waitFor();
    await expect(signInApi(server, person.email, first)).rejects.toThrow(/SIGN_IN_FAILED/);
    await signInApi(server, person.email, second);
  });

  it('resets a forgotten password through the emailed link, which works once', async () => {
    const fresh = (await newPage(browser)).page;
    await fresh.goto(`${server.baseUrl}/sign-in`);
    await fresh.getByRole('link', { name: 'Forgot your password?' }).click();
    await fresh.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor();
    await fresh.getByLabel(/^Email/).fill(person.email);
    await fresh.getByRole('button', { name: 'Email me a link' }).click();
    await fresh.getByText('Check your email').waitFor();
    await expectAccessible(fresh, 'the forgot-password page after sending');

    await server.deliverMail();
    const mail = await server.mailTo(person.email, await signInApi(server, admin.email, first));
    const link = /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();

    await fresh.goto(server.local(link!));
    await fresh.getByText(`For ${person.email} in Northwind Constabulary.`, { exact: false }).waitFor();
    await fresh.getByLabel(/^New password/).fill(third);
    await fresh.getByLabel(/^Repeat the new password/).fill(third);
    await expectAccessible(fresh, 'the reset-password page');
    await fresh.getByRole('button', { name: 'Set the new password' }).click();
    await fresh.getByText('Your password is changed').waitFor();
    await fresh.getByRole('link', { name: 'Sign in' }).click();
    await signInBrowser(fresh, server, person.email, third);

    // The link is spent: opening it again explains, with no form.
    const again = (await newPage(browser)).page;
    await again.goto(server.local(link!));
    await again.getByText('This link cannot be used').waitFor();
    expect(await again.getByRole('button', { name: 'Set the new password' }).count()).toBe(0);
  });
});
