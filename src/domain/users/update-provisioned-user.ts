import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { Permission } from '../../authz/permissions.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { externalIdRace } from './update-user-profile.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyLifecycleEventIn } from './apply-lifecycle-event.js';
import { changeSignInEmailIn, emailRace } from './change-sign-in-email.js';
import { loadProvisioningSettings, type ProvisioningSettings } from './provisioning-settings.js';
import {
  profileFieldsShape,
  provisioningFieldsShape,
  provisioningKeys,
  updateUserProfileIn,
} from './update-user-profile.js';
import { checkVersion, lockUser } from './user-record.js';
import type { LifecycleEvent } from './user-status.js';

/** The reason recorded when an identity provider disables a person. */
export const deprovisionReason = 'Disabled by the identity provider (SCIM active=false).';

/** What `active: false` does under the organisation's `scimDeactivation`, and the permission it needs. Pure. */
export function deprovisionEvent(settings: ProvisioningSettings): {
  event: LifecycleEvent;
  permission: Permission;
} {
  return settings.scimDeactivation === 'deactivate'
    ? { event: { type: 'deactivate', reason: deprovisionReason }, permission: 'users:deactivate' }
    : { event: { type: 'suspend', reason: deprovisionReason, until: null }, permission: 'users:suspend' };
}

export const updateProvisionedUserInput = z
  .object({
    userId: z.string().max(64),
    /** A new sign-in address (the identity provider renamed the userName); unique in the organisation. */
    email: z.string().trim().email().max(320).optional(),
    displayName: profileFieldsShape.displayName,
    jobTitle: profileFieldsShape.jobTitle,
    ...provisioningFieldsShape,
    /** false: suspend or deactivate (setting `scimDeactivation`); true: reactivate a suspended user. */
    active: z.boolean().optional(),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/**
 * An identity provider's change of a user (SCIM PATCH and PUT): a new sign-in address
 * (`changeSignInEmailIn`), profile and provisioning fields through
 * `updateUserProfileIn`, the status through `applyLifecycleEventIn` — the console's rules, audit, revocation
 * and notifications — in ONE transaction, so a refused part writes nothing. The version is checked once,
 * on the locked row, before anything is written. `active` that matches the status is no change (an invited
 * person counts as active; `active: false` of a suspended user under `deactivate` deactivates them).
 */
export async function updateProvisionedUser(
  ctx: CommandContext,
  raw: z.input<typeof updateProvisionedUserInput>,
): Promise<UserRow> {
  const input = parseInput(updateProvisionedUserInput, raw);
  const { userId, active, expectedVersion, displayName, jobTitle, email } = input;
  const profile = { userId, displayName, jobTitle, ...pick(input) };
  const profileGiven = [displayName, jobTitle, ...provisioningKeys.map((k) => input[k])].some(
    (v) => v !== undefined,
  );
  if (profileGiven || email !== undefined) await authorizeAnywhere(ctx, 'users:update');
  const settings = active === undefined ? null : await loadProvisioningSettings(ctx.db, ctx.actor.orgId);
  const off = settings ? deprovisionEvent(settings) : null;
  // Both directions may be needed (the status is read under the lock): authorize what `active` can ask.
  if (active === false && off) await authorizeAnywhere(ctx, off.permission);
  if (active === true) await authorizeAnywhere(ctx, 'users:reactivate');
  const write = () =>
    withTransaction(ctx.db, async (scope) => {
      const locked = await lockUser(scope.trx, ctx.actor.orgId, userId);
      checkVersion(locked, expectedVersion);
      let user = locked;
      if (email !== undefined) {
        // The target-role rule, before anything is written (the profile update checks it again).
        await authorizeOnUser(ctx, scope.trx, 'users:update', locked, 'write');
        user = await changeSignInEmailIn(scope, ctx, user, email);
      }
      if (profileGiven) user = await updateUserProfileIn(scope, ctx, profile, { self: false, access: null });
      const event = statusEvent(user, active, off);
      if (event) {
        user = await applyLifecycleEventIn(scope, ctx, userId, event.event, {
          permission: event.permission,
          refuseSelf: true,
        });
      }
      return user;
    });
  return emailRace(() => externalIdRace(write));
}

function pick(input: z.output<typeof updateProvisionedUserInput>) {
  return Object.fromEntries(provisioningKeys.map((k) => [k, input[k]]));
}

function statusEvent(
  user: UserRow,
  active: boolean | undefined,
  off: ReturnType<typeof deprovisionEvent> | null,
): { event: LifecycleEvent; permission: Permission } | null {
  if (active === undefined) return null;
  if (active) {
    if (user.status === 'suspended') {
      return { event: { type: 'reactivate' }, permission: 'users:reactivate' };
    }
    if (user.status === 'deactivated') {
      throw new DomainError('INVALID_TRANSITION', 'A deactivated user cannot be made active again.', {
        from: user.status,
      });
    }
    return null;
  }
  if (!off) return null;
  if (user.status === 'active') return off;
  if (user.status === 'suspended' && off.event.type === 'deactivate') return off;
  if (user.status === 'invited') {
    throw new DomainError(
      'INVALID_TRANSITION',
      'An invited person cannot be disabled: revoke the invitation, or delete the user.',
      { from: user.status },
    );
  }
  return null;
}
