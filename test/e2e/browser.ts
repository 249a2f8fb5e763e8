import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissingReason(): string | null {
  if (!existsSync(chromiumPath)) {
    return `no Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\` (as .ci/run does)`;
  }
  return null;
}

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium through playwright-core (no browser download), headless, with the network chatter of
 * a normal profile turned off. playwright-core starts it with a fresh, empty user-data folder of its own
 * (and deletes it on close); each `newContext()` is a separate session, like another person's browser.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/London',
    locale: 'en-GB',
  });
  context.setDefaultTimeout(15_000);
  return { context, page: await context.newPage() };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core on the page as it is now: no serious or critical violation (WCAG 2.1 A/AA and best practice). */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // A dialog still fading in has text at part opacity, which axe reads as too little contrast: wait for the
  // page's running transitions and animations to end first (seen on a loaded machine).
  // Endless ones (a spinner) are skipped, and the wait is capped at a second.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 1000)),
    ]),
  );
  // Evaluated through the DevTools protocol, so the console's Content-Security-Policy does not block it.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations;
  })) as AxeViolation[];
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .map((n) => JSON.stringify(n.target))
          .slice(0, 5)
          .join(', ')}`,
    );
  if (bad.length > 0) console.warn(`[axe] ${what}:\n  ${bad.join('\n  ')}`);
  expect.soft(bad, `accessibility of ${what}`).toEqual([]);
}

/**
 * Text the reader cannot see whole, anywhere in `root` (default the page): an element holding text, a
 * badge or a button whose content is wider than its box while its overflow is not visible (cut, often with
 * "…"), or whose box pokes out of the card or of a clipping ancestor it sits in (a region that scrolls
 * sideways, such as a wide table's, ends the search: what it holds is reached by scrolling). Visually hidden text
 * (screen-reader only) is left out. Each finding names the text and the sizes.
 */
export async function cutOffText(page: Page, root = 'body'): Promise<string[]> {
  return page.locator(root).evaluateAll((roots) => {
    const found: string[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 2 && r.height > 2 && getComputedStyle(el).visibility !== 'hidden';
    };
    const clips = (el: Element) => {
      const o = getComputedStyle(el).overflowX;
      return o === 'hidden' || o === 'clip';
    };
    for (const rootEl of roots) {
      for (const el of rootEl.querySelectorAll<HTMLElement>('*')) {
        if (el.closest('script, style, svg, input, textarea, select, [aria-hidden="true"]')) continue;
        const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim());
        const control = el.matches('button, a, [class*="Badge-root"], [class*="Badge-label"]');
        if ((!ownText && !control) || !visible(el)) continue;
        const text = (el.textContent ?? '').trim().slice(0, 80);
        if (!text) continue;
        if (clips(el) && el.scrollWidth > el.clientWidth + 1) {
          found.push(`“${text}” is cut (${el.scrollWidth}px in ${el.clientWidth}px)`);
          continue;
        }
        const box = el.getBoundingClientRect();
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const isCard = a.matches(
            '[class*="Paper-root"], [class*="Card-root"], [class*="Popover-dropdown"]',
          );
          const o = getComputedStyle(a).overflowX;
          // Inside a sideways-scrolling region (a wide table) the text is reached by scrolling: not cut.
          if (o === 'auto' || o === 'scroll') break;
          if (!isCard && !clips(a)) continue;
          const r = a.getBoundingClientRect();
          if (box.right > r.right + 1 || box.left < r.left - 1) {
            found.push(`“${text}” pokes out of its ${isCard ? 'card' : 'box'} (${box.right} > ${r.right})`);
          }
          break;
        }
      }
    }
    return found;
  });
}

/**
 * Choose an option of a searchable picker the way a person does: click it, type, and click the option once
 * its list shows it. On a loaded machine the list can miss the first keystrokes (a dialog still moving focus
 * into itself closes it again); a person then clicks the picker once more, and so does this, up to 3 times.
 */
export async function pickOption(
  picker: Locator,
  typed: string,
  option: { name: string | RegExp; exact?: boolean },
): Promise<void> {
  const page = picker.page();
  for (let attempt = 1; ; attempt++) {
    await picker.click();
    await picker.fill(typed);
    const choice = page.getByRole('option', option);
    try {
      await choice.waitFor({ timeout: 5_000 });
    } catch (error) {
      if (attempt === 3) throw error;
      continue;
    }
    await choice.click();
    return;
  }
}
