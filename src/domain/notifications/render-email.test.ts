import { describe, expect, it } from 'vitest';
import { brandColorOf, escapeHtml, formatDateTime, renderEmail } from './render-email.js';
import { templateFor } from './templates.js';

describe('render-email', () => {
  it('escapes markup and attribute breakers in HTML, keeps text raw', () => {
    expect(escapeHtml(`<script>alert("x")</script> "onload=y' & z`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;onload=y&#39; &amp; z',
    );
    const evil = '<img src=x onerror=alert(1)> "onload=';
    const out = renderEmail(
      {
        subject: evil,
        blocks: [{ p: evil }, { quote: evil }, { link: 'https://r.test/a?b="c"', label: evil }],
      },
      { orgName: evil, color: 'red;background:url(x)' },
    );
    expect(out.html).not.toContain('<img');
    expect(out.html).not.toContain('"onload=');
    expect(out.html).toContain('href="https://r.test/a?b=&quot;c&quot;"');
    expect(out.html).toContain('#1f4e79');
    expect(out.text).toContain(evil);
  });

  it('takes a brand colour only when it is a #rrggbb hex', () => {
    expect(brandColorOf({ brandColor: '#A1B2C3' })).toBe('#a1b2c3');
    expect(brandColorOf({ brandColor: 'red' })).toBe('#1f4e79');
    expect(brandColorOf({ brandColor: '#fff"><script>' })).toBe('#1f4e79');
    expect(brandColorOf({})).toBe('#1f4e79');
  });

  it('formats dates in the recipient’s time zone, UTC when unknown or invalid', () => {
    const d = new Date('2026-12-04T06:30:00Z');
    expect(formatDateTime(d, 'en', null)).toBe('December 4, 2026 at 06:30 UTC');
    expect(formatDateTime(d, 'en', 'Asia/Tokyo')).toBe('December 4, 2026 at 15:30 GMT+9');
    expect(formatDateTime(d, 'en', 'Not/AZone')).toBe('December 4, 2026 at 06:30 UTC');
  });

  it('falls back to the English catalogue for other locales', () => {
    expect(templateFor('user_deactivated', 'fr-CH')).toBe(templateFor('user_deactivated', 'en'));
    expect(templateFor('user_deactivated', null)).toBe(templateFor('user_deactivated', 'en'));
  });
});
