import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, createPerson, expectNoAccess, mainNav, signInBrowser } from './console-session.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * The email outbox for operators: every message with its state, tries and last error, in keyset pages;
 * a message the worker gave up on is queued again with "Retry now"; hidden from those without
 * `security:manage`.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const auditorPassword = 'copper meadow lantern quietly 9';
const sentCount = 54;

describe.skipIf(missing !== null)('email outbox page', () => {
  let server: E2EServer;
  let browser: Browser;
  let auditorEmail: string;
  let orgId: string;
  let page: Page;

  /** A state filter chip (its checkbox is visually hidden; the label is what one clicks). */
  const chip = (name: string) => page.locator('label').filter({ hasText: new RegExp(`^${name}$`) });
  const statusOf = async (recipient: string) =>
    (
      await server.rt.services.db
        .selectFrom('outbox_messages')
        .select(['status', 'attempts'])
        .where('org_id', '=', orgId)
        .where('recipient_email', '=', recipient)
        .executeTakeFirstOrThrow()
    ).status;

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    auditorEmail = (
      await createPerson(server, { name: 'Farah Khan', role: 'auditor', password: auditorPassword })
    ).email;
    const db = server.rt.services.db;
    orgId = (
      await db
        .selectFrom('organizations')
        .select('id')
        .where('slug', '=', server.orgSlug)
        .executeTakeFirstOrThrow()
    ).id;
    // The outbox as the delivery worker leaves it: mostly sent, one failing, one given up on.
    const message = (i: number, status: string, extra: Record<string, unknown> = {}) => ({
      org_id: orgId,
      dedupe_key: `e2e-outbox-${i}`,
      kind: 'invitation',
      recipient_email: `person.${String(i).padStart(2, '0')}@example.com`,
      subject: `You are invited to Northwind Constabulary (${i})`,
      text_body: 'Accept your invitation.',
      html_body: '<p>Accept your invitation.</p>',
      message_id: `<e2e-${i}@roster.test>`,
      status,
      ...extra,
    });
    await db
      .insertInto('outbox_messages')
      .values([
        ...Array.from({ length: sentCount }, (_, i) =>
          message(i, 'sent', { attempts: 1, sent_at: new Date() }),
        ),
        message(90, 'failed', {
          recipient_email: 'slow.server@example.com',
          attempts: 2,
          last_error: 'connect ETIMEDOUT 192.0.2.10:587',
        }),
        message(91, 'dead', {
          recipient_email: 'no.such.mailbox@example.com',
          attempts: 8,
          last_error: '550 5.1.1 <no.such.mailbox@example.com>: Recipient address rejected',
        }),
      ])
      .execute();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists every message in pages, filters by state, and retries one that was given up', async () => {
    const opened = await newPage(browser);
    page = opened.page;
    const context = opened.context;
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'Email outbox' }).click();
    await page.getByRole('heading', { name: 'Email outbox', level: 1 }).waitFor();
    const rows = page.getByRole('region', { name: 'Outgoing email' }).locator('tbody tr');
    await rows.first().waitFor();
    // The owner's setup email is in the outbox too.
    const total = sentCount + 2 + 1;
    expect(await rows.count()).toBe(50);
    await expectAccessible(page, 'email outbox');
    await page.screenshot({ path: 'docs/screenshots/outbox.png' });
    // Scrolling to the foot of the list loads the next (keyset) page by itself.
    const end = page.getByText(`All ${total} matching emails are shown.`);
    await page.mouse.move(640, 400);
    await expect
      .poll(async () => {
        await page.mouse.wheel(0, 100_000);
        return end.count();
      })
      .toBe(1);
    expect(await rows.count()).toBe(total);

    await chip('Given up').click();
    await expect.poll(() => rows.count()).toBe(1);
    const dead = rows.first();
    expect(await dead.textContent()).toContain('Recipient address rejected');
    expect(await dead.getByRole('cell').nth(4).textContent()).toBe('8');
    await expectAccessible(page, 'email outbox, given up only');

    await dead
      .getByRole('button', { name: /^Retry now: the email to no\.such\.mailbox@example\.com/ })
      .click();
    await page.getByText('The email to no.such.mailbox@example.com is queued again.').waitFor();
    await page.getByText('No email matches').waitFor();
    expect(await statusOf('no.such.mailbox@example.com')).toBe('queued');

    // A message still being retried by the worker: shown with its error, and retried now on request.
    await chip('Given up').click();
    await chip('Failed, will retry').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('connect ETIMEDOUT');
    expect(await rows.first().textContent()).toContain('Next try');

    const retried = await server.rt.services.db
      .selectFrom('audit_events')
      .select('action')
      .where('org_id', '=', orgId)
      .where('action', '=', 'outbox.retried')
      .execute();
    expect(retried).toHaveLength(1);
    await context.close();
  });

  it('is neither listed nor shown to someone without security:manage', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, auditorEmail, auditorPassword);
    await expectNoAccess(page, server, '/outbox', 'Email outbox');
    expect(await page.getByText('Recipient address rejected').count()).toBe(0);
    await context.close();
  });
});
