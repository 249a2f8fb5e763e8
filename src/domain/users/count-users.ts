import { CompiledQuery, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { z } from 'zod';
import { reachOf } from '../../authz/access.js';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { DB } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { resolveUserFilter, userFilterSchema, userFilterWhere } from './user-filter.js';

export interface UserCount {
  value: number;
  /** false: the planner's estimate (or, when it was too low, a lower bound) — "about N". */
  exact: boolean;
}

/** Below this estimate counting for real is cheap (it reads at most this many rows + 1), so we do. */
export const exactCountThreshold = 1000;

export type UserWhere = (eb: ExpressionBuilder<DB, 'users'>) => Expression<SqlBool>;

/** The planner's row estimate for the filter: no rows are read, so it costs the same at any size. */
export async function estimateUsers(db: Kysely<DB>, where: UserWhere): Promise<number> {
  const q = db
    .selectFrom('users')
    .select((eb) => eb.lit(1).as('one'))
    .where(where)
    .compile();
  const r = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
    CompiledQuery.raw(`explain (format json) ${q.sql}`, [...q.parameters]),
  );
  const raw = r.rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: { 'Plan Rows': number } }];
  return Math.max(0, Math.round(plan[0].Plan['Plan Rows']));
}

/** count(*) of the filter, reading at most `limit` rows. */
async function countUpTo(db: Kysely<DB>, where: UserWhere, limit: number): Promise<number> {
  const r = await db
    .selectFrom((qb) => qb.selectFrom('users').select('id').where(where).limit(limit).as('matching'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A count for list screens that costs about the same at 1k and 10M users: the planner's estimate, except
 * when it is small, then the exact count (bounded, so an estimate far too low cannot make it slow: past
 * the bound the answer is the bound, flagged inexact).
 */
export async function approximateUserCount(
  db: Kysely<DB>,
  where: UserWhere,
  knownEstimate?: number,
): Promise<UserCount> {
  const estimate = knownEstimate ?? (await estimateUsers(db, where));
  if (estimate >= exactCountThreshold) return { value: estimate, exact: false };
  const n = await countUpTo(db, where, exactCountThreshold + 1);
  return n <= exactCountThreshold ? { value: n, exact: true } : { value: n, exact: false };
}

/** The exact count: reads every matching row's index entry (about 120 ms per million on PostgreSQL). */
export async function exactUserCount(db: Kysely<DB>, where: UserWhere): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(where)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export const countUsersInput = z
  .object({
    filter: userFilterSchema.nullish(),
    /** The exact SQL count instead of the fast estimate. */
    exact: z.boolean().nullish(),
  })
  .strict();

/** How many users of the viewer's organisation (of its reach, see `listUsers`) match a filter. */
export async function countUsers(
  ctx: CommandContext,
  raw: z.input<typeof countUsersInput>,
): Promise<UserCount> {
  const access = await authorizeAnywhere(ctx, 'users:read');
  const input = parseInput(countUsersInput, raw);
  const reach = reachOf(access, 'users:read');
  const filter = await resolveUserFilter(ctx.db, ctx.actor.orgId, input.filter ?? undefined);
  const where: UserWhere = (eb) => userFilterWhere(eb, ctx.actor.orgId, filter, reach);
  if (input.exact) return { value: await exactUserCount(ctx.db, where), exact: true };
  return approximateUserCount(ctx.db, where);
}
