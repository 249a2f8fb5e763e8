import { z } from 'zod';
import { reachOf } from '../../authz/access.js';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { issueInvitation } from '../invitations/invitation-link.js';
import { invitationExpiry, loadInvitationTtlDays } from '../invitations/invitation-rules.js';
import { notify } from '../notifications/notify.js';
import { issueAndSendPasswordReset } from '../security/send-reset-link.js';
import type { CommandContext } from '../shared/context.js';
import { actorUserId } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyLifecycleEventIn } from './apply-lifecycle-event.js';
import { grantableRole } from './change-user-role.js';
import { loadProvisioningSettings } from './provisioning-settings.js';
import { deprovisionEvent } from './update-provisioned-user.js';
import {
  assertExternalIdFree,
  assertManager,
  externalIdRace,
  profileFieldsShape,
  provisioningFieldsShape,
} from './update-user-profile.js';
import { normalizeEmail, searchTextOf } from './user-record.js';

export const provisionUserInput = z
  .object({
    email: z.string().trim().email().max(320),
    displayName: z.string().trim().max(200).optional(),
    jobTitle: profileFieldsShape.jobTitle,
    ...provisioningFieldsShape,
    /** false: created, then suspended or deactivated as `scimDeactivation` says (no link is sent). */
    active: z.boolean().default(true),
    /** The role for the new person; `viewer` (the least) when absent. Never above what the actor may grant. */
    role: z.string().max(64).optional(),
  })
  .strict();

export interface ProvisionedUser {
  user: UserRow;
  /** How the person gets in: a set-password link by email, an invitation, or nothing yet (created inactive). */
  access: 'password_link' | 'invitation' | 'none';
}

/**
 * Creates a user on an identity provider's word (SCIM POST /Users). Unlike an invitation the person is
 * active at once (issue 13) and is emailed a set-password link (the password-reset link, audited as sent;
 * single sign-on comes later) — unless the organisation's `scimCreatesInvitations` asks for an invitation.
 * Needs `users:invite` organisation-wide (a provisioned user sits in no department) and the right to grant
 * the role. The email and externalId are unique in the organisation (EMAIL_TAKEN, EXTERNAL_ID_TAKEN).
 * Everything, audit and the queued email included, is one transaction.
 */
export async function provisionUser(
  ctx: CommandContext,
  raw: z.input<typeof provisionUserInput>,
): Promise<ProvisionedUser> {
  const access = await authorizeAnywhere(ctx, 'users:invite');
  if (reachOf(access, 'users:invite') !== 'organization') throw new DomainError('FORBIDDEN');
  const input = parseInput(provisionUserInput, raw);
  const role = grantableRole(ctx.actor, input.role ?? 'viewer', 'role');
  const orgId = ctx.actor.orgId;
  const settings = await loadProvisioningSettings(ctx.db, orgId);
  const inactive = input.active ? null : deprovisionEvent(settings);
  if (inactive) await authorizeAnywhere(ctx, inactive.permission);
  const invite = settings.scimCreatesInvitations && input.active;
  return externalIdRace(() =>
    withTransaction(ctx.db, async (scope) => {
      const { trx } = scope;
      const now = ctx.clock.now();
      const emailNormalized = normalizeEmail(input.email);
      const taken = () => new DomainError('EMAIL_TAKEN', undefined, { field: 'email' });
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('email_normalized', '=', emailNormalized)
        .executeTakeFirst();
      if (existing) throw taken();
      if (input.externalId) await assertExternalIdFree(trx, orgId, input.externalId);
      if (input.managerId) await assertManager(trx, orgId, input.managerId);
      const displayName =
        input.displayName || [input.givenName, input.familyName].filter(Boolean).join(' ') || '';
      // ON CONFLICT DO NOTHING: the same email committed meanwhile is EMAIL_TAKEN, not a constraint error.
      const user = await trx
        .insertInto('users')
        .values({
          org_id: orgId,
          email: input.email,
          email_normalized: emailNormalized,
          display_name: displayName,
          search_text: searchTextOf(displayName, input.email),
          role,
          status: invite ? 'invited' : 'active',
          job_title: input.jobTitle ?? null,
          external_id: input.externalId ?? null,
          given_name: input.givenName ?? null,
          family_name: input.familyName ?? null,
          employee_number: input.employeeNumber ?? null,
          cost_center: input.costCenter ?? null,
          organization_name: input.organizationName ?? null,
          division: input.division ?? null,
          hr_department: input.hrDepartment ?? null,
          manager_id: input.managerId ?? null,
          created_at: now,
          updated_at: now,
          status_changed_at: now,
          ...(invite ? {} : { activated_at: now }),
        })
        .onConflict((oc) => oc.columns(['org_id', 'email_normalized']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!user) throw taken();
      const audited = {
        email: user.email,
        role: user.role,
        ...(user.external_id ? { externalId: user.external_id } : {}),
      };
      const audit = { actor: ctx.actor, meta: ctx.meta, now };
      if (invite) {
        const expiresAt = invitationExpiry(now, await loadInvitationTtlDays(trx, orgId));
        const inv = await issueInvitation(trx, {
          orgId,
          userId: user.id,
          role,
          message: null,
          invitedBy: actorUserId(ctx.actor),
          expiresAt,
          now,
        });
        await recordAuditEvent(trx, orgId, audit, {
          action: 'user.invited',
          targetType: 'user',
          targetId: user.id,
          changes: { ...audited, expiresAt },
        });
        await notify(scope, ctx, { kind: 'invitation', invitationId: inv.id, token: inv.token });
        return { user, access: 'invitation' };
      }
      await recordAuditEvent(trx, orgId, audit, {
        action: 'user.provisioned',
        targetType: 'user',
        targetId: user.id,
        changes: { ...audited, status: 'active' },
      });
      if (inactive) {
        const after = await applyLifecycleEventIn(scope, ctx, user.id, inactive.event, {
          permission: inactive.permission,
        });
        return { user: after, access: 'none' };
      }
      await issueAndSendPasswordReset(scope, ctx, { user, now, requestedBy: 'provisioned' });
      return { user, access: 'password_link' };
    }),
  );
}
