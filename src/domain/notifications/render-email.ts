/** Turns a template's blocks into the HTML and plain-text bodies of an email. Pure. */

/** One piece of a message. Every string is treated as untrusted: it is escaped in HTML, raw in text. */
export type Block = { p: string } | { quote: string } | { link: string; label: string };

export interface MessageContent {
  subject: string;
  blocks: readonly Block[];
}

export interface Brand {
  orgName: string;
  color: string;
}

export const defaultBrandColor = '#1f4e79';

const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => htmlEntities[c]!);
}

/** The organisation's colour from its settings when it is a plain #rrggbb hex, else the default. */
export function brandColorOf(settings: Record<string, unknown>): string {
  const v = settings.brandColor;
  return typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v) ? v.toLowerCase() : defaultBrandColor;
}

/** A date in the recipient's time zone when known (and valid), else UTC, e.g. "4 December 2026 at 06:00 UTC" (en). */
export function formatDateTime(d: Date, locale: string, timeZone: string | null): string {
  const options: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: timeZone ?? 'UTC' }).format(d);
  } catch {
    // An unknown zone or locale stored on the user must not stop the message.
    return new Intl.DateTimeFormat('en', { ...options, timeZone: 'UTC' }).format(d);
  }
}

function textOf(b: Block): string {
  if ('p' in b) return b.p;
  if ('quote' in b)
    return b.quote
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
  return `${b.label}:\n${b.link}`;
}

function htmlOf(b: Block, color: string): string {
  if ('p' in b) return `<p>${escapeHtml(b.p)}</p>`;
  if ('quote' in b) {
    const body = escapeHtml(b.quote).replace(/\n/g, '<br>');
    return `<blockquote style="border-left:4px solid ${color};margin:0;padding:0 12px">${body}</blockquote>`;
  }
  return (
    `<p><a href="${escapeHtml(b.link)}" style="background:${color};color:#ffffff;padding:10px 16px;` +
    `text-decoration:none;border-radius:4px;display:inline-block">${escapeHtml(b.label)}</a></p>` +
    `<p style="font-size:12px;color:#555555">${escapeHtml(b.link)}</p>`
  );
}

export function renderEmail(
  content: MessageContent,
  brand: Brand,
): { subject: string; text: string; html: string } {
  // The colour is only ever a validated hex, so it may go into a style attribute as is.
  const color = /^#[0-9a-fA-F]{6}$/.test(brand.color) ? brand.color : defaultBrandColor;
  const text = `${content.blocks.map(textOf).join('\n\n')}\n\n-- \n${brand.orgName}\n`;
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>` +
    `<body style="font-family:Arial,sans-serif;color:#222222">` +
    `<div style="background:${color};color:#ffffff;padding:12px 16px;font-size:18px">${escapeHtml(brand.orgName)}</div>` +
    `<div style="padding:16px">${content.blocks.map((b) => htmlOf(b, color)).join('')}</div>` +
    `</body></html>`;
  return { subject: content.subject, text, html };
}
