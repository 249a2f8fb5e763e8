import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { can } from '../../authz/authorize.js';
import type { DevMailboxTable } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';

export type DevMailboxMessage = Selectable<DevMailboxTable>;

export const listDevMailboxInput = z.object({ first: z.number().int().min(1).max(200).nullish() }).strict();

/**
 * The development mailbox, newest first: what would have been emailed while no SMTP server is configured
 * (empty when one is). Holders of `security:manage` see the whole organisation's mail; everyone else only
 * the messages addressed to their own email. Development only: the bodies hold working links.
 */
export async function listDevMailbox(
  ctx: CommandContext,
  raw: z.input<typeof listDevMailboxInput>,
): Promise<DevMailboxMessage[]> {
  const input = parseInput(listDevMailboxInput, raw);
  if (ctx.config.smtp.url) return [];
  let q = ctx.db.selectFrom('dev_mailbox').selectAll().where('org_id', '=', ctx.actor.orgId);
  if (!can(ctx.actor, 'security:manage')) {
    if (ctx.actor.type !== 'user') return [];
    const userId = ctx.actor.userId;
    const orgId = ctx.actor.orgId;
    q = q.where(({ eb, selectFrom }) =>
      eb(
        sql`lower(recipient)`,
        '=',
        selectFrom('users')
          .select(sql<string>`lower(email)`.as('email'))
          .where('org_id', '=', orgId)
          .where('id', '=', userId),
      ),
    );
  }
  return q
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.first ?? 50)
    .execute();
}
