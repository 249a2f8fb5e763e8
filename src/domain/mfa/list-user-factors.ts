import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import { DomainError } from '../errors.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';

export const userFactorKinds = ['authenticator_app', 'passkey', 'recovery_codes'] as const;
export type UserFactorKind = (typeof userFactorKinds)[number];

/**
 * One of a person's factors as an administrator sees it: what it is, never what it holds (no TOTP secret,
 * no credential id or public key, no code hash). The recovery codes are one entry: how many of the batch
 * are left.
 */
export interface UserFactor {
  kind: UserFactorKind;
  /** What `resetUserFactor` names it by; null for the recovery codes (named by their kind). */
  id: string | null;
  /** The person's name for it; null for the recovery codes. */
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** For the recovery codes: unused ones, and the batch's size. */
  recoveryCodes: { left: number; total: number } | null;
}

/**
 * A person's second factors — the authenticator app, each passkey, the recovery codes — for their own
 * view and for holders of `security:manage` over them (org-wide, or as manager of their department's
 * subtree). Seeing is a read: like `sessions(userId)` and every other read of a user, it is not capped by
 * the target-role rule (resetting them is). Another organisation's user is NOT_FOUND, like a missing one.
 */
export async function listUserFactors(ctx: CommandContext, userId: string): Promise<UserFactor[]> {
  const self = actorUserId(ctx.actor) === userId;
  if (!self) await authorizeAnywhere(ctx, 'security:manage');
  if (!isUuid(userId)) throw new DomainError('NOT_FOUND');
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new DomainError('NOT_FOUND');
  if (!self) await authorizeOnUser(ctx, ctx.db, 'security:manage', user, 'read');
  const of = { org: user.org_id, user: user.id };
  // Three small reads of named columns only: nothing secret is ever selected.
  const [apps, passkeys, codes] = await Promise.all([
    ctx.db
      .selectFrom('mfa_factors')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('org_id', '=', of.org)
      .where('user_id', '=', of.user)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is not', null)
      .orderBy('created_at')
      .execute(),
    ctx.db
      .selectFrom('passkeys')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('org_id', '=', of.org)
      .where('user_id', '=', of.user)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    ctx.db
      .selectFrom('mfa_recovery_codes')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('id').filterWhere('used_at', 'is', null).as('left'),
        eb.fn.min('created_at').as('created_at'),
        eb.fn.max('used_at').as('last_used_at'),
      ])
      .where('org_id', '=', of.org)
      .where('user_id', '=', of.user)
      .executeTakeFirstOrThrow(),
  ]);
  const entry = (
    kind: UserFactorKind,
    r: { id: string; name: string; created_at: Date; last_used_at: Date | null },
  ): UserFactor => ({
    kind,
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    recoveryCodes: null,
  });
  const list = [
    ...apps.map((a) => entry('authenticator_app', a)),
    ...passkeys.map((p) => entry('passkey', p)),
  ];
  if (Number(codes.total) > 0 && codes.created_at)
    list.push({
      kind: 'recovery_codes',
      id: null,
      name: null,
      createdAt: new Date(codes.created_at),
      lastUsedAt: codes.last_used_at ? new Date(codes.last_used_at) : null,
      recoveryCodes: { left: Number(codes.left), total: Number(codes.total) },
    });
  return list;
}
