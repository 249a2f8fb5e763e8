import { sql } from 'kysely';
import { withTransaction } from '../../db/transaction.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { invitationReminderHoursOf } from './notice-rules.js';
import { notify } from './notify.js';

const hourMs = 3_600_000;

/**
 * Queues one reminder per pending invitation that expires within the organisation's
 * `invitationReminderHours` (24 by default; 0 disables). Only invitations that existed before that
 * window opened are reminded: a one-day invitation with a 24-hour window would otherwise get its
 * reminder together with the invitation itself.
 *
 * The reminder cannot carry the acceptance link: only the token's hash is stored, the token itself
 * exists only in the original email. It says to use that email's link or ask the inviter to resend.
 * The outbox's dedupe key (per invitation) makes a rerun of this task harmless.
 */
export async function remindInvitations(
  services: Services,
  now: Date,
  meta: RequestMeta = {},
): Promise<{ reminded: number; failed: number }> {
  void meta;
  const result = { reminded: 0, failed: 0 };
  const orgs = await services.db
    .selectFrom('organizations')
    .select(['id', 'settings'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('invitations')
          .select('invitations.id')
          .whereRef('invitations.org_id', '=', 'organizations.id')
          .where('invitations.status', '=', 'pending')
          .where('invitations.expires_at', '>', now),
      ),
    )
    .execute();
  for (const org of orgs) {
    const hours = invitationReminderHoursOf(org.settings);
    if (hours === 0) continue;
    const windowOpens = (expires: Date) => new Date(expires.getTime() - hours * hourMs);
    const due = await services.db
      .selectFrom('invitations')
      .select(['id', 'created_at', 'expires_at'])
      .where('org_id', '=', org.id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .where('expires_at', '<=', new Date(now.getTime() + hours * hourMs))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox_messages')
              .select('outbox_messages.id')
              .where('outbox_messages.org_id', '=', org.id)
              .where(
                'outbox_messages.dedupe_key',
                '=',
                sql<string>`'reminder:' || invitations.id::text || ':' || invitations.user_id::text || ':invitation_reminder'`,
              ),
          ),
        ),
      )
      .execute();
    for (const inv of due.filter((i) => i.created_at.getTime() < windowOpens(i.expires_at).getTime())) {
      try {
        await withTransaction(services.db, (scope) =>
          notify(
            scope,
            {
              actor: { type: 'system', orgId: org.id, name: 'invitation-reminder' },
              config: services.config,
              clock: services.clock,
            },
            { kind: 'invitation_reminder', invitationId: inv.id },
          ),
        );
        result.reminded += 1;
      } catch (err) {
        // One broken invitation must not hold up the others' reminders; the job reports it.
        services.logger.error({ err, invitationId: inv.id }, 'invitation reminder failed');
        result.failed += 1;
      }
    }
  }
  return result;
}
