import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { isRoleKey } from '../../authz/roles.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { expiryOf, isCredentialLive, scimTokenLifetime } from './credential-rules.js';
import { issueCredentialSecret } from './credential-secret.js';
import type { IssuedScimToken } from './create-scim-token.js';
import { assertMayIssue } from './scim-token-grant.js';
import { lockScimToken, requireSessionActor, viewOfScimToken } from './scim-token-record.js';

export const rotateScimTokenInput = z
  .object({
    id: z.string().max(64),
    expiresInDays: z.number().int().min(1).max(scimTokenLifetime.maxDays).optional(),
  })
  .strict();

/**
 * A new secret for a live token, same id, name and scopes; the old secret stops working at once (no
 * overlap: the administrator pastes the new one into the identity provider right away, and a leaked
 * secret is never kept alive by its own rotation). The expiry restarts. Same checks as creating it.
 */
export async function rotateScimToken(
  ctx: CommandContext,
  raw: z.input<typeof rotateScimTokenInput>,
): Promise<IssuedScimToken> {
  authorize(ctx.actor, 'api_credentials:manage');
  requireSessionActor(ctx.actor);
  const input = parseInput(rotateScimTokenInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async ({ trx }) => {
    const row = await lockScimToken(trx, ctx.actor.orgId, input.id);
    if (!isRoleKey(row.max_role)) throw new DomainError('UNKNOWN_ROLE');
    assertMayIssue(ctx.actor, row.scopes, row.max_role);
    if (!isCredentialLive(row, now)) {
      throw new DomainError('INVALID_TRANSITION', 'A revoked or expired token cannot be rotated.');
    }
    await requireRecentAuthentication(ctx, trx);
    const issued = await issueCredentialSecret(ctx.config, 'scim', row.id);
    const expiresAt = expiryOf(now, input.expiresInDays ?? scimTokenLifetime.defaultDays);
    const updated = await trx
      .updateTable('scim_tokens')
      .set({ secret_hash: issued.hash, rotated_at: now, expires_at: expiresAt })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      row.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'scim_token.rotated',
        targetType: 'scim_token',
        targetId: row.id,
        changes: { expiresAt: { from: row.expires_at.toISOString(), to: expiresAt.toISOString() } },
      },
    );
    return { token: viewOfScimToken(updated), secret: issued.token };
  });
}
