import { z } from 'zod';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import {
  recordSourceFailure,
  refundSignInAttempt,
  reserveSignInAttempt,
} from '../security/sign-in-throttle.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { minPasswordLength } from '../security/password-policy.js';
import { minPasswordLengthOf } from '../security/password-settings.js';
import { hashSecretToken } from '../shared/secret-token.js';

export const invitationPreviewInput = z.object({ token: z.string().min(1).max(200) }).strict();

/** What the holder of a usable link may see before accepting: nothing they could not read in the email. */
export interface InvitationPreview {
  organizationName: string;
  email: string;
  role: RoleKey;
  /** The inviter's name (their email when they have none); null for a system invitation (first setup). */
  invitedBy: string | null;
  message: string | null;
  /** The department the person is invited into (their primary department); null when none was chosen. */
  departmentName: string | null;
  expiresAt: Date;
  /** The password's minimum length for this account: NIST's floor, raised by the organisation's setting. */
  minPasswordLength: number;
}

/**
 * Anonymous look-up of an invitation by its token, for the acceptance page. The token is the credential:
 * an unknown, used, revoked or superseded token answers INVITATION_INVALID and an expired one
 * INVITATION_EXPIRED, nothing more; ids and the token hash never leave.
 *
 * Failed look-ups are counted per source address with the sign-in throttle's source counter (under a key
 * of their own, `invitation:ip:…`, so guessing links and guessing passwords do not share an allowance): a
 * source past its limit gets INVITATION_INVALID for every token, valid or not, until its wait is over. An
 * unusable token counts a failure; a usable one just gives its lease back. With 256-bit tokens guessing is hopeless anyway; the counter keeps
 * an endpoint that answers without any work from being a free oracle.
 */
export async function previewInvitation(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof invitationPreviewInput>,
): Promise<InvitationPreview> {
  const input = parseInput(invitationPreviewInput, raw);
  const now = services.clock.now();
  const reservation = await reserveSignInAttempt(
    services.db,
    { source: `invitation:ip:${meta.ip ?? 'unknown'}`, accounts: [] },
    now,
  );
  if (!reservation.sourceAllowed) throw new DomainError('INVITATION_INVALID');
  const found = await services.db
    .selectFrom('invitations')
    .innerJoin('users', (j) =>
      j.onRef('users.org_id', '=', 'invitations.org_id').onRef('users.id', '=', 'invitations.user_id'),
    )
    .innerJoin('organizations', 'organizations.id', 'invitations.org_id')
    .leftJoin('departments as department', (j) =>
      j
        .onRef('department.org_id', '=', 'users.org_id')
        .onRef('department.id', '=', 'users.primary_department_id'),
    )
    .leftJoin('users as inviter', (j) =>
      j.onRef('inviter.org_id', '=', 'invitations.org_id').onRef('inviter.id', '=', 'invitations.invited_by'),
    )
    .select([
      'invitations.status',
      'invitations.expires_at',
      'invitations.role',
      'invitations.message',
      'users.email',
      'users.status as user_status',
      'organizations.name as organization_name',
      'organizations.settings as organization_settings',
      'inviter.display_name as inviter_name',
      'inviter.email as inviter_email',
      'department.name as department_name',
    ])
    .where('invitations.token_hash', '=', hashSecretToken('invitation', input.token))
    .executeTakeFirst();
  // The same rules as accepting: a user no longer invited (deactivated meanwhile) cannot use the link.
  if (!found || found.status !== 'pending' || found.user_status !== 'invited' || !isRoleKey(found.role)) {
    await recordSourceFailure(services.db, reservation);
    throw new DomainError('INVITATION_INVALID');
  }
  await refundSignInAttempt(services.db, reservation);
  if (found.expires_at.getTime() <= now.getTime()) throw new DomainError('INVITATION_EXPIRED');
  return {
    organizationName: found.organization_name,
    email: found.email,
    role: found.role,
    invitedBy: found.inviter_name?.trim() || found.inviter_email || null,
    message: found.message,
    departmentName: found.department_name ?? null,
    expiresAt: found.expires_at,
    minPasswordLength: minPasswordLength({ minLength: minPasswordLengthOf(found.organization_settings) }),
  };
}
