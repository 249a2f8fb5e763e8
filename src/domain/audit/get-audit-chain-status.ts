import { authorize } from '../../authz/authorize.js';
import type { CommandContext } from '../shared/context.js';
import { verifyAuditChain, type AuditChainVerification } from './verify-audit-chain.js';

export type AuditChainStatus = AuditChainVerification & { verifiedAt: Date };

/** Verifies the viewer's organisation's audit chain now. */
export async function getAuditChainStatus(ctx: CommandContext): Promise<AuditChainStatus> {
  authorize(ctx.actor, 'audit:verify');
  const result = await verifyAuditChain(ctx.db, ctx.actor.orgId);
  return { ...result, verifiedAt: ctx.clock.now() };
}
