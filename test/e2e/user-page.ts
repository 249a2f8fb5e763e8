import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../console/scripts/console-build.js';
import { signInApi, startE2EServer, type E2EServer } from './e2e-server.js';
import { acceptOwnerSetup } from './console-session.js';

/** The first owner's password in these tests (accepted through the setup link). */
export const ownerPassword = 'violet staple harbour lantern 7';

/** A running server whose first owner has set a password, the organisation's id and an owner token. */
export async function startWithOwner(): Promise<{ server: E2EServer; orgId: string; ownerToken: string }> {
  await ensureConsoleBuilt((line) => console.log(`[e2e] ${line}`));
  const server = await startE2EServer();
  await acceptOwnerSetup(server, ownerPassword);
  const org = await server.rt.services.db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', server.orgSlug)
    .executeTakeFirstOrThrow();
  return { server, orgId: org.id, ownerToken: await signInApi(server, server.ownerEmail, ownerPassword) };
}

/** A browser session of its own (another person's browser), signed in through the sign-in page. */
export async function signedInPage(
  browser: Browser,
  server: E2EServer,
  email: string,
  password: string,
  viewport = { width: 1366, height: 768 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, timezoneId: 'Europe/London', locale: 'en-GB' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return { context, page };
}

/** Text elements inside `selector` whose content is wider than their box (cut off or shortened). */
export async function clippedText(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((els) =>
      els
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${(el.textContent ?? '').slice(0, 80)} (${el.scrollWidth}>${el.clientWidth})`),
    );
}
