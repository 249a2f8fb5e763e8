import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { gql } from '../support/auth.js';
import { browserMissingReason, expectAccessible, launchBrowser, newPage } from './browser.js';
import { acceptOwnerSetup, createPerson, expectNoAccess, mainNav, signInBrowser } from './console-session.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';

/**
 * Organisation settings in the console: lifetimes, who is told about changes, the emails' colour; the
 * server's refusals shown at the field; each change in the audit log in words; hidden from those who may
 * not change settings.
 */
const missing = browserMissingReason();
if (missing) console.warn(`[e2e] browser tests skipped: ${missing}`);

const ownerPassword = 'violet staple harbour lantern 7';
const auditorPassword = 'copper meadow lantern quietly 9';

describe.skipIf(missing !== null)('organisation settings page', () => {
  let server: E2EServer;
  let browser: Browser;
  let auditorEmail: string;

  async function stored() {
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    const r = await gql(
      server.app,
      `{ organization { invitationTtlDays sessionIdleMinutes sessionAbsoluteHours }
         notificationSettings { brandColor responsibleRecipients byKind { kind responsible roles } } }`,
      undefined,
      token,
    );
    return r.body.data;
  }

  async function openSettings(page: Page) {
    await signInBrowser(page, server, server.ownerEmail, ownerPassword);
    await mainNav(page).getByRole('link', { name: 'Organisation settings' }).click();
    await page.getByRole('heading', { name: 'Organisation settings', level: 1 }).waitFor();
  }

  beforeAll(async () => {
    await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
    server = await startE2EServer();
    browser = await launchBrowser();
    await acceptOwnerSetup(server, ownerPassword);
    auditorEmail = (
      await createPerson(server, { name: 'Farah Khan', role: 'auditor', password: auditorPassword })
    ).email;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('changes lifetimes, refusing bad values at their field, and the audit log says what changed', async () => {
    const { page, context } = await newPage(browser);
    await openSettings(page);
    const ttl = page.getByLabel('Invitation links expire after (days)');
    const idle = page.getByLabel('Idle sessions end after (minutes)');
    const absolute = page.getByLabel('Sessions end after (hours)');
    await expect.poll(() => ttl.inputValue()).toBe('7');
    expect(await idle.inputValue()).toBe('60');
    expect(await absolute.inputValue()).toBe('24');
    await expectAccessible(page, 'organisation settings');
    await page.screenshot({ path: 'docs/screenshots/organization-settings.png', fullPage: true });

    // Out of bounds: the server's message, at the field, and nothing stored.
    await ttl.fill('120');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await expect.poll(() => ttl.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Must be a whole number from 1 to 90.').waitFor();
    // Idle longer than the absolute lifetime: refused at the idle field.
    await ttl.fill('14');
    await idle.fill('1440');
    await absolute.fill('2');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.getByText('The idle timeout cannot be longer than the absolute session lifetime.').waitFor();
    expect(await idle.getAttribute('aria-invalid')).toBe('true');
    expect((await stored()).organization).toEqual({
      invitationTtlDays: 7,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 24,
    });

    await idle.fill('30');
    await absolute.fill('12');
    await page.getByRole('button', { name: 'Save lifetimes' }).click();
    await page.getByText('Invitation and session lifetimes are saved.').waitFor();
    expect((await stored()).organization).toEqual({
      invitationTtlDays: 14,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
    });
    await page.reload();
    await expect.poll(() => page.getByLabel('Invitation links expire after (days)').inputValue()).toBe('14');

    // The audit log names the change and shows it as before/after in words.
    await mainNav(page).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Organisation settings changed' }).first().click();
    const drawer = page.getByRole('dialog');
    const row = drawer.getByRole('row', { name: /Invitation links expire after \(days\)/ });
    await row.waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual(['7', '14']);
    expect(
      await drawer
        .getByRole('row', { name: /Idle sessions end after/ })
        .getByRole('cell')
        .allTextContents(),
    ).toEqual(['—', '30']); // not set before: the default was in force
    await expectAccessible(page, 'audit log with a settings change open');
    await context.close();
  });

  it('gives a kind of notice its own audience and sets the emails’ colour', async () => {
    const { page, context } = await newPage(browser);
    await openSettings(page);
    await page.getByRole('combobox', { name: 'Audience for Suspended' }).click();
    await page.getByRole('option', { name: 'Its own audience' }).click();
    await page.getByLabel('Suspended: the people responsible for the user').uncheck();
    await page.locator('input[aria-label="Suspended: roles told"]').click();
    await page.getByRole('option', { name: 'Security Officer' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('combobox', { name: 'Audience for Role changed' }).click();
    await page.getByRole('option', { name: 'Its own audience' }).click();
    await page.getByLabel('Role changed: the people responsible for the user').uncheck();
    await page.getByText('Nobody is told about this kind.').waitFor();
    await expectAccessible(page, 'organisation settings with own audiences');
    await page.getByRole('button', { name: 'Save who is told' }).click();
    await page.getByText('Who is told about changes is saved.').waitFor();
    const s = (await stored()).notificationSettings;
    expect(s.responsibleRecipients).toBe(true);
    expect(s.byKind).toEqual(
      expect.arrayContaining([
        { kind: 'USER_SUSPENDED', responsible: false, roles: ['SECURITY_OFFICER'] },
        { kind: 'ROLE_CHANGED', responsible: false, roles: [] },
      ]),
    );
    expect(s.byKind).toHaveLength(2);

    // Back to the defaults for one kind: its override is removed.
    await page.reload();
    await page.getByRole('combobox', { name: 'Audience for Role changed' }).click();
    await page.getByRole('option', { name: 'As above' }).click();
    await page.getByRole('button', { name: 'Save who is told' }).click();
    await page.getByText('Who is told about changes is saved.').last().waitFor();
    await expect
      .poll(async () => (await stored()).notificationSettings.byKind.map((e: { kind: string }) => e.kind))
      .toEqual(['USER_SUSPENDED']);

    const colour = page.getByLabel('Brand colour');
    await colour.fill('blue');
    await page.getByRole('button', { name: 'Save email settings' }).click();
    await expect.poll(() => colour.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('A colour as #rrggbb.').waitFor();
    await colour.fill('#1c4e80');
    await page.getByRole('button', { name: 'Save email settings' }).click();
    await page.getByText('Email settings are saved.').waitFor();
    expect((await stored()).notificationSettings.brandColor).toBe('#1c4e80');

    await mainNav(page).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Notification settings changed' }).first().click();
    await page
      .getByRole('dialog')
      .getByRole('row', { name: /Brand colour/ })
      .waitFor();
    await context.close();
  });

  it('sets what the identity provider’s provisioning does: invitations, and deactivating instead of suspending', async () => {
    const { page, context } = await newPage(browser);
    await openSettings(page);
    const section = page.getByRole('region', { name: 'Provisioning (SCIM)' });
    const invite = section.getByLabel('People the identity provider creates are invited');
    expect(await invite.isChecked()).toBe(false);
    expect(await section.getByLabel(/^Suspend them/).isChecked()).toBe(true);
    await invite.check();
    await section.getByLabel(/^Deactivate them/).check();
    await section.getByRole('button', { name: 'Save provisioning settings' }).click();
    await page.getByText('Provisioning settings are saved.').waitFor();
    const token = await signInApi(server, server.ownerEmail, ownerPassword);
    const r = await gql(
      server.app,
      '{ organization { scimCreatesInvitations scimDeactivation } }',
      undefined,
      token,
    );
    expect(r.body.data.organization).toEqual({
      scimCreatesInvitations: true,
      scimDeactivation: 'deactivate',
    });
    await expectAccessible(page, 'organisation settings with provisioning changed');
    await context.close();
  });

  it('is neither listed nor shown to someone who may not change settings', async () => {
    const { page, context } = await newPage(browser);
    await signInBrowser(page, server, auditorEmail, auditorPassword);
    await expectNoAccess(page, server, '/settings', 'Organisation settings');
    expect(await page.getByLabel('Invitation links expire after (days)').count()).toBe(0);
    await expectAccessible(page, 'no access to settings');
    await context.close();
  });
});
