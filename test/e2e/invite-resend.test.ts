import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * Inviting an address whose invitation is still pending offers Resend beside "already exists"; resending
 * emails a new link (a second message in the development mailbox).
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const invitee = 'pending.person@example.com';

describe.skipIf(missing !== null)('resending from the invite page', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    await acceptOwnerSetup(server, ownerPassword);
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const mailsTo = async (token: string) => {
    await server.deliverMail();
    const r = await gql(server.app, '{ devMailbox(first: 50) { recipient subject } }', undefined, token);
    return (r.body.data.devMailbox as { recipient: string }[]).filter((m) => m.recipient === invitee);
  };

  it('invite, invite again, Resend: a second email arrives', async () => {
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    await page.goto(`${server.baseUrl}/invite`);
    const emails = page.getByLabel('Email addresses');
    await emails.fill(invitee);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('1 invitation sent').waitFor();
    expect(await mailsTo(token)).toHaveLength(1);

    await emails.fill(invitee);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('alert').getByText('already exists').waitFor();
    await page.getByText(`${invitee} has not accepted their invitation yet.`).waitFor();
    await expectAccessible(page, 'the invite page offering Resend');
    await page.getByRole('button', { name: 'Resend invitation' }).click();
    await page.getByText('Invitation resent').waitFor();
    await page.getByText(`A new invitation is on its way to ${invitee}`).waitFor();
    expect(await page.getByRole('button', { name: 'Resend invitation' }).count()).toBe(0);
    await expectAccessible(page, 'the invite page after resending');
    expect(await mailsTo(token)).toHaveLength(2);
  });
});
