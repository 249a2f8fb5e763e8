import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import {
  credentialName,
  expiryOf,
  maxLiveScimTokens,
  scimScopes,
  scimTokenLifetime,
} from './credential-rules.js';
import { issueCredentialSecret } from './credential-secret.js';
import { assertMayIssue } from './scim-token-grant.js';
import { requireSessionActor, viewOfScimToken, type ScimTokenView } from './scim-token-record.js';

export const createScimTokenInput = z
  .object({
    name: credentialName,
    scopes: z.array(z.enum(scimScopes)).min(1, 'Choose at least one scope.').max(scimScopes.length),
    maxRole: z.string().refine(isRoleKey, 'There is no such role.'),
    expiresInDays: z.number().int().min(1).max(scimTokenLifetime.maxDays).optional(),
  })
  .strict();

export interface IssuedScimToken {
  token: ScimTokenView;
  /** Shown once: only its hash is kept. */
  secret: string;
}

/**
 * Issues a SCIM bearer token for the actor's organisation: `api_credentials:manage`, a session that
 * authenticated recently (step-up), and no more than the issuer holds (assertMayIssue). Audited
 * `scim_token.created` in the same transaction (never with the secret).
 */
export async function createScimToken(
  ctx: CommandContext,
  raw: z.input<typeof createScimTokenInput>,
): Promise<IssuedScimToken> {
  authorize(ctx.actor, 'api_credentials:manage');
  requireSessionActor(ctx.actor);
  const input = parseInput(createScimTokenInput, raw);
  const scopes = [...new Set(input.scopes)].sort();
  const maxRole = input.maxRole as RoleKey;
  assertMayIssue(ctx.actor, scopes, maxRole);
  const now = ctx.clock.now();
  const orgId = ctx.actor.orgId;
  const issued = await issueCredentialSecret(ctx.config, 'scim');
  return withTransaction(ctx.db, async ({ trx }) => {
    await requireRecentAuthentication(ctx, trx);
    // The organisation's row orders concurrent issuers, so the live count below cannot be raced past.
    await trx.selectFrom('organizations').select('id').where('id', '=', orgId).forUpdate().execute();
    const live = await trx
      .selectFrom('scim_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    if (Number(live.n) >= maxLiveScimTokens) {
      throw new DomainError('TOO_MANY_OPERATIONS', `At most ${maxLiveScimTokens} live SCIM tokens.`);
    }
    const row = await trx
      .insertInto('scim_tokens')
      .values({
        id: issued.id,
        org_id: orgId,
        name: input.name,
        secret_hash: issued.hash,
        scopes,
        max_role: maxRole,
        created_by: actorUserId(ctx.actor),
        created_at: now,
        expires_at: expiryOf(now, input.expiresInDays ?? scimTokenLifetime.defaultDays),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'scim_token.created',
        targetType: 'scim_token',
        targetId: row.id,
        changes: { name: row.name, scopes, maxRole, expiresAt: row.expires_at.toISOString() },
      },
    );
    return { token: viewOfScimToken(row), secret: issued.token };
  });
}
