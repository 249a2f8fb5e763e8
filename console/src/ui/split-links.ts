/** http(s) addresses in plain text; trailing sentence punctuation is not part of the link. */
const linkPattern = /https?:\/\/[^\s<>"'`]+/g;
const trailing = /[.,;:!?)\]}]+$/;

/** The parts of a text: plain strings and http(s) links (parsed by URL, so nothing else becomes one). Pure. */
export function splitLinks(text: string): ({ text: string } | { href: string })[] {
  const parts: ({ text: string } | { href: string })[] = [];
  let at = 0;
  for (const match of text.matchAll(linkPattern)) {
    const raw = match[0].replace(trailing, '');
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
    if (match.index > at) parts.push({ text: text.slice(at, match.index) });
    parts.push({ href: raw });
    at = match.index + raw.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}
