import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { NotificationsTable } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';

export type NotificationRow = Selectable<NotificationsTable>;

export const listNotificationsInput = z
  .object({
    first: z.number().int().min(1).max(200).nullish(),
    after: z.string().max(200).nullish(),
    unreadOnly: z.boolean().nullish(),
  })
  .strict();

export interface NotificationPage {
  notifications: NotificationRow[];
  hasNextPage: boolean;
}

/** Opaque cursor over (created_at, id); created_at comes from the command clock in whole milliseconds. */
export function encodeNotificationCursor(n: Pick<NotificationRow, 'created_at' | 'id'>): string {
  return Buffer.from(`${n.created_at.toISOString()}|${n.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) {
    throw new DomainError('VALIDATION_FAILED', 'after: not a cursor of this list', { field: 'after' });
  }
  return { createdAt, id };
}

/** The signed-in user's own in-app notifications, newest first. No permission: only your own are read. */
export async function listNotifications(
  ctx: CommandContext,
  raw: z.input<typeof listNotificationsInput>,
): Promise<NotificationPage> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(listNotificationsInput, raw);
  const first = input.first ?? 50;
  let q = ctx.db
    .selectFrom('notifications')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', ctx.actor.userId);
  if (input.unreadOnly) q = q.where('read_at', 'is', null);
  if (input.after) {
    const c = decodeCursor(input.after);
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', c.createdAt),
        eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(first + 1)
    .execute();
  return { notifications: rows.slice(0, first), hasNextPage: rows.length > first };
}

export async function countUnreadNotifications(ctx: CommandContext): Promise<number> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const row = await ctx.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', ctx.actor.userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
