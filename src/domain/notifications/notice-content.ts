/**
 * A notice's facts, frozen at the event (names, reason, roles as they were), and their rendering for one
 * recipient (their locale and time zone). The command's transaction renders the affected user's own email
 * from them; the fan-out renders every administrator's message from the same stored facts later.
 */
import type { NotificationKind } from './notice-rules.js';
import { formatDateTime, renderEmail } from './render-email.js';
import { messageLocale, templateFor, type NoticeParams } from './templates.js';

/**
 * Everything a message needs that does not depend on the recipient: the template's parameters but the
 * audience, plus the brand colour. JSON-safe: `until` and `expires` hold ISO text here, formatted for each
 * recipient's locale and time zone by `renderNotice`.
 */
export type FrozenNotice = Omit<NoticeParams, 'audience'> & { brandColor: string };

export interface NoticeRecipient {
  locale: string | null;
  time_zone: string | null;
}

/** The email (subject, text, html) and in-app text for one recipient. Pure. */
export function renderNotice(
  kind: NotificationKind,
  facts: FrozenNotice,
  audience: 'self' | 'admin',
  person: NoticeRecipient,
): { subject: string; text: string; html: string; inAppBody: string } {
  const locale = messageLocale(person.locale);
  const when = (iso: string | null | undefined) =>
    iso ? formatDateTime(new Date(iso), locale, person.time_zone) : null;
  const { brandColor, until, expires, ...rest } = facts;
  const params: NoticeParams = {
    ...rest,
    audience,
    until: when(until),
    ...(expires ? { expires: when(expires)! } : {}),
  };
  const content = templateFor(kind, person.locale)(params);
  const inAppBody = content.blocks.flatMap((b) => ('p' in b ? [b.p] : [])).join('\n');
  return { ...renderEmail(content, { orgName: facts.orgName, color: brandColor }), inAppBody };
}
