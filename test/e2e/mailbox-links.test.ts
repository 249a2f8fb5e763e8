import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { splitLinks } from '../../console/src/ui/split-links.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/** The development mailbox turns http(s) links of a message into links, and nothing else. */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const password = 'saffron harbour pebble violin 64';

describe('links in plain text', () => {
  it('finds http(s) links, leaves trailing punctuation and other schemes as text', () => {
    expect(splitLinks('Open https://a.example/x?y=1. Then javascript:alert(1) or ftp://b.example')).toEqual([
      { text: 'Open ' },
      { href: 'https://a.example/x?y=1' },
      { text: '. Then javascript:alert(1) or ftp://b.example' },
    ]);
    expect(splitLinks('no links')).toEqual([{ text: 'no links' }]);
  });
});

describe.skipIf(missing !== null)('development mailbox links', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    const s = server.rt.services;
    const org = await s.db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', server.orgSlug)
      .executeTakeFirstOrThrow();
    const admin = await createUser(s, org.id, {
      role: 'administrator',
      email: 'mia.mail@example.com',
      displayName: 'Mia Mail',
      password,
    });
    const token = await signInApi(server, admin.email, password);
    const r = await gql(
      server.app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { userErrors { code } } }',
      { i: { invitations: [{ email: 'lena.link@example.com', role: 'VIEWER' }] } },
      token,
    );
    expect(r.body.data.inviteUsers.userErrors).toEqual([]);
    await server.deliverMail();
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the invitation link as a link that opens in a new tab without a handle on the console', async () => {
    onTestFailed(async () => {
      mkdirSync('.tmp/e2e', { recursive: true });
      await page?.screenshot({ path: '.tmp/e2e/mailbox-links.png' }).catch(() => undefined);
    });
    await page.goto(`${server.baseUrl}/mailbox`);
    const message = page.getByRole('article');
    const link = message.getByRole('link', { name: /accept-invitation/ });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(/^https?:\/\/[^\s]+\/accept-invitation/);
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    await expectAccessible(page, 'the mailbox');
  });
});
