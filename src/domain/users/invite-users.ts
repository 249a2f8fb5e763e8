import { z } from 'zod';
import {
  departmentPermissionChoices,
  missingForPlacement,
  reachesDepartment,
  reachOf,
} from '../../authz/access.js';
import type { Kysely } from 'kysely';
import { accessOf, addedPermissionsAt, authorizeAnywhere } from '../../authz/load-access.js';
import type { Permission } from '../../authz/permissions.js';
import type { DB, UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvents } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { invitationLink, issueInvitation, maxInvitationTtlDays } from '../invitations/invitation-link.js';
import { invitationExpiry, loadInvitationTtlDays } from '../invitations/invitation-rules.js';
import { invitationViews, type InvitationView } from '../invitations/list-invitations.js';
import type { CommandContext } from '../shared/context.js';
import { actorUserId } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { grantableRole } from './change-user-role.js';
import { normalizeEmail, searchTextOf } from './user-record.js';
import { profileFieldsShape } from './update-user-profile.js';
import { primaryPathsOf } from './user-actions.js';
import { allowedUserActions } from './user-policy.js';
import { notify } from '../notifications/notify.js';
import { loadLiveDepartment } from '../departments/department-record.js';
import { membershipSet, replaceMemberships } from '../departments/memberships.js';

export const maxInvitationsPerCall = 100;

const invitationEntry = z
  .object({
    email: z.string().trim().email().max(320),
    /** Checked against the role catalogue exactly as given: " owner" is not a role. */
    role: z.string().max(64),
    displayName: z.string().trim().max(200).optional(),
    /** A note for the invitee, kept with the invitation (not in the audit trail). */
    message: z.string().trim().max(2000).nullish(),
    expiresInDays: z.number().int().min(1).max(maxInvitationTtlDays).nullish(),
    /** Places the invited user in this (live) department as their primary one. */
    departmentId: z.string().max(64).nullish(),
    /** The invited user's time zone (IANA, validated and stored as the profile's); none when absent. */
    timeZone: profileFieldsShape.timeZone,
  })
  .strict();

export const inviteUsersInput = z
  .object({ invitations: z.array(invitationEntry).min(1).max(maxInvitationsPerCall) })
  .strict();

export interface IssuedInvitation {
  user: UserRow;
  invitation: InvitationView;
  /** The acceptance link; shown once (delivery by email comes later, so the inviting admin gets it). */
  link: string;
}

/**
 * Invites up to 100 people at once. A department manager without org-wide users:invite must place each
 * invitee in a department of its subtrees; anyone placing an invitee must hold the permissions that the
 * department adds for its members (DEPARTMENT_PERMISSION_NOT_HELD otherwise). The batch is atomic: if any entry is refused (unknown or ungrantable
 * role, email already in the organisation or twice in the batch), nothing is written and the error names
 * the entry, e.g. `field: 'invitations.3.email'`. A partial batch would leave the admin to work out which
 * links exist; all-or-nothing lets them fix the one entry and send the same batch again.
 */
/**
 * The id of the user holding this email when they are still invited and the actor may resend their
 * invitation (the same rule as the user's `resendInvitation` action), so EMAIL_TAKEN can offer Resend;
 * undefined otherwise: the error then tells no more than that the email is taken.
 */
async function resendableUserId(
  ctx: CommandContext,
  trx: Kysely<DB>,
  emailNormalized: string,
): Promise<string | undefined> {
  const user = await trx
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
  if (!user || user.status !== 'invited') return undefined;
  const access = await accessOf(ctx);
  const paths = user.primary_department_id
    ? await primaryPathsOf(trx, ctx.actor.orgId, [user])
    : new Map<string, string>();
  const path = user.primary_department_id ? (paths.get(user.primary_department_id) ?? null) : null;
  return allowedUserActions(access, user, path).resendInvitation ? user.id : undefined;
}

export async function inviteUsers(
  ctx: CommandContext,
  raw: z.input<typeof inviteUsersInput>,
): Promise<IssuedInvitation[]> {
  const access = await authorizeAnywhere(ctx, 'users:invite');
  const input = parseInput(inviteUsersInput, raw);
  // A department manager (no org-wide users:invite) invites only into the departments of its subtrees.
  const scoped = reachOf(access, 'users:invite') !== 'organization';
  const firstIndexOf = new Map<string, number>();
  const entries = input.invitations.map((e, i) => {
    const role = grantableRole(ctx.actor, e.role, `invitations.${i}.role`);
    if (scoped && !e.departmentId) {
      throw new DomainError('FORBIDDEN', 'Invite into one of the departments you manage.', {
        field: `invitations.${i}.departmentId`,
      });
    }
    const emailNormalized = normalizeEmail(e.email);
    const earlier = firstIndexOf.get(emailNormalized);
    if (earlier !== undefined) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `This email appears earlier in the batch (entry ${earlier}).`,
        {
          field: `invitations.${i}.email`,
          duplicateOf: earlier,
        },
      );
    }
    firstIndexOf.set(emailNormalized, i);
    return { ...e, role, emailNormalized, displayName: e.displayName ?? '', message: e.message || null };
  });
  const taken = (emailNormalized: string, resendableUserId?: string) =>
    new DomainError('EMAIL_TAKEN', undefined, {
      field: `invitations.${firstIndexOf.get(emailNormalized)}.email`,
      ...(resendableUserId ? { userId: resendableUserId } : {}),
    });

  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const now = ctx.clock.now();
    const existing = await trx
      .selectFrom('users')
      .select('email_normalized')
      .where('org_id', '=', orgId)
      .where(
        'email_normalized',
        'in',
        entries.map((e) => e.emailNormalized),
      )
      .execute();
    const first = entries.find((e) => existing.some((x) => x.email_normalized === e.emailNormalized));
    if (first) throw taken(first.emailNormalized, await resendableUserId(ctx, trx, first.emailNormalized));
    const addedAt = new Map<string, Permission[]>();
    const holdsAllAddable = missingForPlacement(access, departmentPermissionChoices).length === 0;
    for (const [i, e] of entries.entries()) {
      if (!e.departmentId) continue;
      const field = `invitations.${i}.departmentId`;
      const department = await loadLiveDepartment(trx, orgId, e.departmentId, field);
      if (!reachesDepartment(access, 'users:invite', department.path)) {
        throw new DomainError('FORBIDDEN', 'That department is outside the departments you manage.', {
          field,
        });
      }
      // Placing the invitee hands them the permissions the department adds: the inviter must hold them
      // (an inviter holding all that departments may add needs no query).
      if (holdsAllAddable) continue;
      let added = addedAt.get(department.id);
      if (!added) {
        added = await addedPermissionsAt(trx, orgId, department.path);
        addedAt.set(department.id, added);
      }
      const missing = missingForPlacement(access, added);
      if (missing.length > 0) {
        throw new DomainError('DEPARTMENT_PERMISSION_NOT_HELD', undefined, { field, missing });
      }
    }

    // ON CONFLICT DO NOTHING: an invitation of the same email committed meanwhile is reported as
    // EMAIL_TAKEN (and rolls the batch back) instead of surfacing as a constraint violation.
    const users = await trx
      .insertInto('users')
      .values(
        entries.map((e) => ({
          org_id: orgId,
          email: e.email,
          email_normalized: e.emailNormalized,
          display_name: e.displayName,
          search_text: searchTextOf(e.displayName, e.email),
          role: e.role,
          time_zone: e.timeZone ?? null,
          status: 'invited',
          created_at: now,
          updated_at: now,
          status_changed_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['org_id', 'email_normalized']).doNothing())
      .returningAll()
      .execute();
    const byEmail = new Map(users.map((u) => [u.email_normalized, u]));
    const missing = entries.find((e) => !byEmail.has(e.emailNormalized));
    if (missing) throw taken(missing.emailNormalized);

    const defaultDays = await loadInvitationTtlDays(trx, orgId);
    const issued: {
      user: UserRow;
      id: string;
      token: string;
      expiresAt: Date;
      departmentId: string | null;
    }[] = [];
    for (const e of entries) {
      const user = byEmail.get(e.emailNormalized)!;
      const expiresAt = invitationExpiry(now, e.expiresInDays ?? defaultDays);
      const inv = await issueInvitation(trx, {
        orgId,
        userId: user.id,
        role: e.role,
        message: e.message,
        invitedBy: actorUserId(ctx.actor),
        expiresAt,
        now,
      });
      issued.push({ user, ...inv, expiresAt, departmentId: e.departmentId ?? null });
      if (e.departmentId) {
        await replaceMemberships(trx, orgId, user.id, membershipSet(e.departmentId, []), now);
      }
    }
    const rows = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where(
        'id',
        'in',
        issued.map((i) => i.id),
      )
      .execute();
    const views = await invitationViews(trx, orgId, rows, now, users);
    const viewById = new Map(views.map((v) => [v.invitation.id, v]));

    await recordAuditEvents(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      issued.map((i) => ({
        action: 'user.invited',
        targetType: 'user',
        targetId: i.user.id,
        changes: {
          email: i.user.email,
          role: i.user.role,
          expiresAt: i.expiresAt,
          ...(i.departmentId ? { departmentId: i.departmentId } : {}),
        },
      })),
    );
    for (const i of issued)
      await notify(scope, ctx, { kind: 'invitation', invitationId: i.id, token: i.token });
    return issued.map((i) => ({
      user: i.user,
      invitation: viewById.get(i.id)!,
      link: invitationLink(ctx.config.publicUrl, i.token),
    }));
  });
}
