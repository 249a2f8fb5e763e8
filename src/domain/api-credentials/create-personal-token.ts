import { z } from 'zod';
import { accessOf } from '../../authz/load-access.js';
import { authorize } from '../../authz/authorize.js';
import { isPermission, type Permission } from '../../authz/permissions.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import {
  credentialName,
  expiryOf,
  maxLivePersonalTokens,
  personalTokenLifetime,
} from './credential-rules.js';
import { issueCredentialSecret } from './credential-secret.js';
import { viewOfPersonalToken, type PersonalTokenView } from './personal-token-record.js';

export const createPersonalTokenInput = z
  .object({
    name: credentialName,
    expiresInDays: z.number().int().min(1).max(personalTokenLifetime.maxDays).optional(),
    /** Omitted or null: whatever the owner's role holds at each use. Otherwise a subset of it. */
    permissions: z.array(z.string().max(64)).max(64).nullish(),
  })
  .strict();

export interface IssuedPersonalToken {
  token: PersonalTokenView;
  secret: string;
}

/**
 * A personal API token of the signed-in person: needs `api:access`, a session (a token cannot mint
 * tokens) that authenticated recently, and a permission list (if any) the person holds now. The token
 * never holds more than its owner's current role (checked again on every use, actor-permissions.ts).
 */
export async function createPersonalToken(
  ctx: CommandContext,
  raw: z.input<typeof createPersonalTokenInput>,
): Promise<IssuedPersonalToken> {
  const actor = ctx.actor;
  if (actor.type === 'personal_token') throw new DomainError('SESSION_REQUIRED');
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  authorize(actor, 'api:access');
  const input = parseInput(createPersonalTokenInput, raw);
  let permissions: Permission[] | null = null;
  if (input.permissions != null) {
    const unknown = input.permissions.filter((p) => !isPermission(p));
    if (unknown.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'Unknown permission.', { field: 'permissions', unknown });
    }
    const held = (await accessOf(ctx)).orgWide;
    const missing = input.permissions.filter((p) => !held.has(p as Permission));
    if (missing.length > 0) {
      throw new DomainError('PERMISSION_NOT_HELD', undefined, { field: 'permissions', permissions: missing });
    }
    permissions = [...new Set(input.permissions as Permission[])].sort();
    if (!permissions.includes('api:access')) permissions.push('api:access');
  }
  const now = ctx.clock.now();
  const issued = await issueCredentialSecret(ctx.config, 'pat');
  return withTransaction(ctx.db, async ({ trx }) => {
    await requireRecentAuthentication(ctx, trx);
    // The owner's row orders their concurrent requests, so the live count cannot be raced past.
    await trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', actor.orgId)
      .where('id', '=', actor.userId)
      .forUpdate()
      .execute();
    const live = await trx
      .selectFrom('personal_api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', actor.orgId)
      .where('user_id', '=', actor.userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    if (Number(live.n) >= maxLivePersonalTokens) {
      throw new DomainError('TOO_MANY_OPERATIONS', `At most ${maxLivePersonalTokens} live personal tokens.`);
    }
    const row = await trx
      .insertInto('personal_api_tokens')
      .values({
        id: issued.id,
        org_id: actor.orgId,
        user_id: actor.userId,
        name: input.name,
        secret_hash: issued.hash,
        permissions,
        created_at: now,
        expires_at: expiryOf(now, input.expiresInDays ?? personalTokenLifetime.defaultDays),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      actor.orgId,
      { actor, meta: ctx.meta, now },
      {
        action: 'personal_token.created',
        targetType: 'user',
        targetId: actor.userId,
        changes: { tokenId: row.id, name: row.name, permissions, expiresAt: row.expires_at.toISOString() },
      },
    );
    return { token: viewOfPersonalToken(row), secret: issued.token };
  });
}
