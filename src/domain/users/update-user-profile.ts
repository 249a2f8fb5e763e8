import { z } from 'zod';
import { holdsAnywhere, mayActOn, type Access } from '../../authz/access.js';
import { accessOf, authorizeAnywhere, authorizeOnUser, targetUserOf } from '../../authz/load-access.js';
import type { UserRow, UserUpdate } from '../../db/schema.js';
import { withTransaction, type TransactionScope, type Tx } from '../../db/transaction.js';
import { isUuid } from '../shared/ids.js';
import { onUniqueViolation } from '../../db/unique-violation.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { bumpVersion, checkVersion, lockUser, searchTextOf } from './user-record.js';

function isLocale(v: string): boolean {
  try {
    return Intl.getCanonicalLocales(v).length === 1;
  } catch {
    return false;
  }
}

/** The IANA name of a time zone, or undefined. Offsets and abbreviations are not accepted. */
function canonicalTimeZone(v: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(v)) return undefined;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const attributeNamePattern = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
export const maxAttributes = 50;

/**
 * Custom attributes: a flat object of at most 50 named values (string <= 1000 characters, number, boolean,
 * null). Names are checked on the object's own keys before parsing, because a record schema silently drops
 * `__proto__`, and a dropped field must be refused, not ignored.
 */
export const attributesSchema = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'Attributes must be an object.',
  )
  .superRefine((v, ctx) => {
    const keys = Object.keys(v);
    if (keys.length > maxAttributes) {
      ctx.addIssue({ code: 'custom', message: `At most ${maxAttributes} attributes are allowed.` });
    }
    for (const k of keys.slice(0, maxAttributes + 1)) {
      if (!attributeNamePattern.test(k)) {
        ctx.addIssue({
          code: 'custom',
          path: [k.slice(0, 64)],
          message: 'Attribute names start with a letter and use letters, digits and _ (at most 64).',
        });
      }
    }
  })
  .pipe(
    z.record(
      z.string().regex(attributeNamePattern),
      z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
    ),
  );

/** Profile fields a user may edit on their own account; shared with accepting an invitation. */
export const profileFieldsShape = {
  displayName: z.string().trim().min(1).max(200).optional(),
  /** null or blank clears. */
  jobTitle: z
    .string()
    .trim()
    .max(200)
    .transform((v) => v || null)
    .nullish(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()./-]{2,39}$/, 'digits, spaces and ( ) . / - with an optional leading +')
    .max(40)
    .nullish(),
  /** A BCP 47 language tag such as en-GB; stored in canonical case. */
  locale: z
    .string()
    .trim()
    .max(35)
    .refine(isLocale, 'not a BCP 47 language tag (e.g. en-GB)')
    .transform((v) => Intl.getCanonicalLocales(v)[0]!)
    .nullish(),
  /** An IANA time zone such as Europe/London; stored in canonical form. */
  timeZone: z
    .string()
    .trim()
    .max(64)
    .refine((v) => canonicalTimeZone(v) !== undefined, 'not an IANA time zone (e.g. Europe/London)')
    .transform((v) => canonicalTimeZone(v)!)
    .nullish(),
};

export type ProfileFields = z.output<z.ZodObject<typeof profileFieldsShape>>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => v || null)
    .nullish();

/**
 * What an identity provider keeps about a person (SCIM, docs/scim-attributes.md): its own id for them, the
 * name parts, the enterprise extension's HR fields and the manager. null or blank clears. Never editable on
 * one's own account without users:update: they are the organisation's records, not the person's.
 */
export const provisioningFieldsShape = {
  /** The provisioning client's id: case-exact, kept as sent, unique in the organisation. */
  externalId: z.string().min(1).max(256).nullish(),
  givenName: optionalText(200),
  familyName: optionalText(200),
  employeeNumber: optionalText(200),
  costCenter: optionalText(200),
  organizationName: optionalText(200),
  division: optionalText(200),
  /** The HR system's department name (free text), not one of Roster's departments. */
  hrDepartment: optionalText(200),
  /** A user of the same organisation (not the user). */
  managerId: z.string().max(64).nullish(),
};
export const provisioningKeys = Object.keys(
  provisioningFieldsShape,
) as (keyof typeof provisioningFieldsShape)[];
export type ProvisioningFields = z.output<z.ZodObject<typeof provisioningFieldsShape>>;

const columnOf = {
  displayName: 'display_name',
  jobTitle: 'job_title',
  phone: 'phone',
  locale: 'locale',
  timeZone: 'time_zone',
  attributes: 'attributes',
  externalId: 'external_id',
  givenName: 'given_name',
  familyName: 'family_name',
  employeeNumber: 'employee_number',
  costCenter: 'cost_center',
  organizationName: 'organization_name',
  division: 'division',
  hrDepartment: 'hr_department',
  managerId: 'manager_id',
} as const;
type ProfileKey = keyof typeof columnOf;

/** Keys in a fixed order, so that a reordered but equal object is no change. */
function sortedKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** The given profile fields as `{ field: value }`, and the same fields of the stored user. Pure. */
export function profileSnapshots(user: UserRow, given: Partial<Record<ProfileKey, unknown>>) {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of Object.keys(columnOf) as ProfileKey[]) {
    const value = given[key];
    if (value === undefined) continue;
    const stored = user[columnOf[key]];
    before[key] = key === 'attributes' ? sortedKeys(stored as Record<string, unknown>) : stored;
    after[key] = key === 'attributes' ? sortedKeys(value as Record<string, unknown>) : value;
  }
  return { before, after };
}

/** The column updates for changed profile fields, with search_text kept in step with the name. Pure. */
export function profileColumns(user: UserRow, changed: Record<string, { to: unknown }>): UserUpdate {
  const set: Record<string, unknown> = {};
  for (const [key, { to }] of Object.entries(changed)) {
    const column = columnOf[key as ProfileKey];
    set[column] = key === 'attributes' ? JSON.stringify(to) : to;
  }
  if ('displayName' in changed) set.search_text = searchTextOf(String(changed.displayName!.to), user.email);
  return set as UserUpdate;
}

export const updateUserProfileInput = z
  .object({
    userId: z.string().max(64),
    ...profileFieldsShape,
    /** Replaces the whole set of custom attributes. Needs users:update, also on one's own account. */
    attributes: attributesSchema.optional(),
    /** The identity provider's fields; need users:update, also on one's own account. */
    ...provisioningFieldsShape,
    expectedVersion: z.number().int().nullish(),
  })
  .strict();
export type UpdateUserProfileInput = z.output<typeof updateUserProfileInput>;

/**
 * Edits a user's profile. Users may edit their own name, job title, phone, locale and time zone; anything
 * else, and anyone else's profile, needs users:update (org-wide, or over the user's primary department as
 * one of its managers). The email is not editable here: it identifies the account (sign-in, SCIM
 * matching), and self-service editing of identifying attributes is an incident class in peer products. A request that changes nothing writes nothing: no audit event, no new version.
 */
export async function updateUserProfile(
  ctx: CommandContext,
  raw: z.input<typeof updateUserProfileInput>,
): Promise<UserRow> {
  const self =
    ctx.actor.type === 'user' &&
    typeof raw.userId === 'string' &&
    raw.userId.toLowerCase() === ctx.actor.userId.toLowerCase();
  if (!self) await authorizeAnywhere(ctx, 'users:update');
  const input = parseInput(updateUserProfileInput, raw);
  // Someone else's profile needs users:update over the user (`authorizeOnUser`: org-wide or as the manager
  // of a department over the user's primary one, and never on a user whose role ranks above the actor).
  // One's own custom attributes and provisioning fields need the same right over oneself.
  const guarded =
    self && (input.attributes !== undefined || provisioningKeys.some((k) => input[k] !== undefined));
  const access = guarded ? await accessOf(ctx) : null;
  if (access && !holdsAnywhere(access, 'users:update')) throw forbidGuarded(input);
  return externalIdRace(() =>
    withTransaction(ctx.db, (scope) => updateUserProfileIn(scope, ctx, input, { self, access })),
  );
}

function forbidGuarded(input: UpdateUserProfileInput): DomainError {
  const field =
    input.attributes !== undefined ? 'attributes' : provisioningKeys.find((k) => input[k] !== undefined);
  return new DomainError('FORBIDDEN', undefined, { field });
}

/**
 * The profile change inside the caller's transaction (the caller has checked users:update anywhere, or
 * that the actor edits itself): lock, authorize on the user, version, uniqueness of externalId, the
 * manager, write and audit. Shared with the provisioning commands, which combine it with a status change
 * in one transaction. Returns the user as stored afterwards (unchanged when nothing changed).
 */
export async function updateUserProfileIn(
  scope: TransactionScope,
  ctx: CommandContext,
  input: UpdateUserProfileInput,
  who: { self: boolean; access: Access | null },
): Promise<UserRow> {
  const orgId = ctx.actor.orgId;
  const now = ctx.clock.now();
  const user = await lockUser(scope.trx, orgId, input.userId);
  if (!who.self) await authorizeOnUser(ctx, scope.trx, 'users:update', user, 'write');
  else if (who.access && !who.access.orgWide.has('users:update')) {
    const target = await targetUserOf(scope.trx, user);
    if (!mayActOn(who.access, 'users:update', target, 'write')) throw forbidGuarded(input);
  }
  checkVersion(user, input.expectedVersion);
  const { before, after } = profileSnapshots(user, input);
  const changes = diffFields(before, after);
  if (Object.keys(changes).length === 0) return user;
  if (changes.externalId?.to)
    await assertExternalIdFree(scope.trx, orgId, String(changes.externalId.to), user.id);
  if (changes.managerId?.to) await assertManager(scope.trx, orgId, String(changes.managerId.to), user.id);
  const updated = await scope.trx
    .updateTable('users')
    .set({ ...profileColumns(user, changes), updated_at: now, version: bumpVersion })
    .where('org_id', '=', orgId)
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAuditEvent(
    scope.trx,
    orgId,
    { actor: ctx.actor, meta: ctx.meta, now },
    { action: 'user.updated', targetType: 'user', targetId: user.id, changes },
  );
  return updated;
}

/** EXTERNAL_ID_TAKEN when another user of the organisation has this externalId (compared exactly). */
export async function assertExternalIdFree(
  trx: Tx,
  orgId: string,
  externalId: string,
  exceptUserId?: string,
) {
  let q = trx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('external_id', '=', externalId);
  if (exceptUserId) q = q.where('id', '!=', exceptUserId);
  if (await q.executeTakeFirst())
    throw new DomainError('EXTERNAL_ID_TAKEN', undefined, { field: 'externalId' });
}

/**
 * Runs a write, answering EXTERNAL_ID_TAKEN when a concurrent writer took the externalId between our check
 * and our write (the unique index decides, `users_org_external_id` or a department's
 * `departments_org_external_id`; the transaction has rolled back).
 */
export function externalIdRace<T>(
  write: () => Promise<T>,
  uniqueIndex = 'users_org_external_id',
): Promise<T> {
  return onUniqueViolation(
    write,
    uniqueIndex,
    () => new DomainError('EXTERNAL_ID_TAKEN', undefined, { field: 'externalId' }),
  );
}

/** A manager is another user of the same organisation. */
export async function assertManager(trx: Tx, orgId: string, managerId: string, userId?: string) {
  const refuse = (message: string) => new DomainError('VALIDATION_FAILED', message, { field: 'managerId' });
  if (managerId === userId) throw refuse('A person cannot be their own manager.');
  if (!isUuid(managerId)) throw refuse('There is no such user to be the manager.');
  const found = await trx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', managerId)
    .executeTakeFirst();
  if (!found) throw refuse('There is no such user to be the manager.');
}
