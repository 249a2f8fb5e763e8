import { z } from 'zod';
import { missingForPlacement, mayActOnRole } from '../../authz/access.js';
import { actorMayGrantRole } from '../../authz/actor-permissions.js';
import { accessOf, addedPermissionsAt, outranked } from '../../authz/load-access.js';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import { sql, type Kysely } from 'kysely';
import type { DB, DepartmentRow, UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvents, type AuditEventInput } from '../audit/record-audit-event.js';
import { DomainError, notFound } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { loadDepartment } from './department-record.js';
import { membershipSummary, type Membership } from './memberships.js';
import { applyRoleChange } from '../users/change-user-role.js';
import { groupMayGrant, mappedRoleChange, mappedRoleOf, type RoleSource } from './group-role-mapping.js';
import { maxSecondaryDepartments } from './set-user-departments.js';

/** People one transaction adds or removes: bounds its locks, its statements' parameters and its length. */
export const memberBatchSize = 1000;
/**
 * Batches checked and applied at once. Each is its own transaction over people no other batch of the call
 * holds, so they never wait on each other but for the audit chain head, taken last and held only for the
 * append and the commit. At 1M users a 10k-member add took 5.8 s one batch at a time, 3.1 s two at a time,
 * 2.9 s three, 2.6 s four (2 cores, PostgreSQL beside); three leave most of the pool (10) to other requests.
 */
export const memberBatchConcurrency = 3;
/** People one call names (a SCIM PATCH of a large group sends them in pieces; 1 MB of body is ~25k ids). */
export const maxMembersChanged = 50_000;

const ids = z.array(z.string().max(64)).max(maxMembersChanged);

export const changeDepartmentMembersInput = z
  .object({
    departmentId: z.string().max(64),
    add: ids.default([]),
    remove: ids.default([]),
    /** The members it must have afterwards: everyone else is removed (`add` and `remove` must be empty). */
    replaceWith: ids.nullish(),
  })
  .strict();

export interface MemberChangeResult {
  added: number;
  removed: number;
}

/**
 * Adds people to a department and removes others, at the size of a large identity-provider group (100k
 * members) without reading the department's members into memory. A person added becomes a primary member
 * when they have no primary department, a secondary one otherwise; a primary member removed is left with no
 * primary department. Adding a member or removing a non-member is no change (idempotent, so a client's retry
 * is safe).
 *
 * Needs `users:update` organisation-wide (department managers add people through addDepartmentMembers,
 * checked person by person). Refused whole, before anything is written: an unknown, archived or foreign
 * department (NOT_FOUND); a department that adds permissions the actor does not hold (counted without
 * asking whether another membership already brings them: stricter than a placement in the console); a
 * person added who is no live user of the organisation (VALIDATION_FAILED, `field: members`, their id); a
 * person added or removed whose role holds more than the actor's (FORBIDDEN); a person added who is already
 * in the most secondary departments. Removing someone who is no user (or was deactivated, a deleted user to
 * SCIM) is no change: an identity provider removes a deleted user from its groups afterwards.
 *
 * A department with a group→role mapping (`scim_role`) also moves its members' roles (group-role-mapping.ts):
 * the actor then needs `users:change_role` org-wide and must be able to grant every role the organisation's
 * departments map to (FORBIDDEN, ROLE_NOT_GRANTABLE, before anything is written); each person's role change is
 * the console's (audited, sessions ended on a downgrade, notified) in their batch's transaction.
 *
 * Then it is applied in batches of `memberBatchSize` people, each its own transaction taking the department
 * (FOR SHARE: an archive waits) and then the batch's users by id ascending (the lock order), re-checking
 * what it checked above, and auditing each person's change (`user.departments_changed`). A change of up to
 * one batch is atomic; a larger one that dies midway keeps its committed batches, and the same request
 * again finishes it.
 */
export async function changeDepartmentMembers(
  ctx: CommandContext,
  raw: z.input<typeof changeDepartmentMembersInput>,
): Promise<MemberChangeResult> {
  const input = parseInput(changeDepartmentMembersInput, raw);
  const access = await accessOf(ctx);
  if (!access.orgWide.has('users:update') || !access.orgWide.has('departments:read')) {
    throw new DomainError('FORBIDDEN');
  }
  const orgId = ctx.actor.orgId;
  if (!isUuid(input.departmentId)) throw notFound();
  const department = await loadDepartment(ctx.db, orgId, input.departmentId, {});
  if (department.archived_at) throw notFound();
  const missing = missingForPlacement(access, await addedPermissionsAt(ctx.db, orgId, department.path));
  if (missing.length > 0) {
    throw new DomainError('DEPARTMENT_PERMISSION_NOT_HELD', undefined, { field: 'members', missing });
  }
  if (input.replaceWith && (input.add.length > 0 || input.remove.length > 0)) {
    throw new DomainError('VALIDATION_FAILED', 'Replace the members, or add and remove: not both.', {
      field: 'members',
    });
  }
  const add = distinct(input.replaceWith ?? input.add);
  const addSet = new Set(add);
  const remove = distinct(input.remove).filter((id) => !addSet.has(id));
  for (const id of [...add, ...remove]) {
    if (!isUuid(id)) {
      throw new DomainError('VALIDATION_FAILED', 'No such user.', { field: 'members', value: id });
    }
  }
  const mayActOn = (role: string) => mayActOnRole(access, role);
  const roles = department.scim_role
    ? await roleMappingOf(ctx, access.orgWide.has('users:change_role'))
    : null;
  await eachConcurrently(batches(add), (batch) =>
    checkAdditions(ctx.db, orgId, department.id, batch, mayActOn),
  );
  await eachConcurrently(batches(remove), (batch) => peopleToRemove(ctx.db, orgId, batch, mayActOn, false));
  if (input.replaceWith && !(await leaversActable(ctx.db, orgId, department.id, add, mayActOn))) {
    throw outranked();
  }

  let added = 0;
  let removed = 0;
  await eachConcurrently(batches(add), async (batch) => {
    added += await applyBatch(ctx, department, batch, 'add', mayActOn, roles);
  });
  if (input.replaceWith) {
    // Everyone in the department not in the new list, found by walking its members in id order.
    for (let after = ''; ;) {
      const page = await ctx.db
        .selectFrom('user_departments')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('department_id', '=', department.id)
        .where('user_id', '>', after || '00000000-0000-0000-0000-000000000000')
        .orderBy('user_id')
        .limit(memberBatchSize)
        .execute();
      if (page.length === 0) break;
      after = page[page.length - 1]!.user_id;
      const leaving = page.map((r) => r.user_id).filter((id) => !addSet.has(id));
      if (leaving.length > 0)
        removed += await applyBatch(ctx, department, leaving, 'remove', mayActOn, roles);
    }
  } else {
    await eachConcurrently(batches(remove), async (batch) => {
      removed += await applyBatch(ctx, department, batch, 'remove', mayActOn, roles);
    });
  }
  return { added, removed };
}

/**
 * The batch's people to add, under their locks when `lock`: each a live (not deactivated) user of the
 * organisation whose role the actor may act on, with room for one more secondary department. Returns their
 * memberships.
 */
async function checkAdditions(
  db: Kysely<DB>,
  orgId: string,
  departmentId: string,
  batch: readonly string[],
  mayActOn: (role: string) => boolean,
  lock = false,
): Promise<{ people: Person[]; current: Map<string, Membership[]> }> {
  const people = await usersIn(db, orgId, batch, lock);
  const live = new Set(people.filter((p) => p.status !== 'deactivated').map((p) => p.id));
  const unknown = batch.find((id) => !live.has(id));
  if (unknown !== undefined) {
    throw new DomainError('VALIDATION_FAILED', 'No such user.', { field: 'members', value: unknown });
  }
  if (people.some((p) => !mayActOn(p.role))) throw outranked();
  const current = await membershipsByPerson(db, orgId, batch);
  for (const [userId, ms] of current) {
    const joining = !ms.some((m) => m.departmentId === departmentId);
    const full =
      ms.some((m) => m.isPrimary) && ms.filter((m) => !m.isPrimary).length >= maxSecondaryDepartments;
    if (joining && full) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `They are already in ${maxSecondaryDepartments} secondary departments, the most a person can be in.`,
        { field: 'members', value: userId },
      );
    }
  }
  return { people, current };
}

/** The batch's people who exist (any status), under their locks when `lock`; refused if one outranks the actor. */
async function peopleToRemove(
  db: Kysely<DB>,
  orgId: string,
  batch: readonly string[],
  mayActOn: (role: string) => boolean,
  lock: boolean,
): Promise<Person[]> {
  const people = await usersIn(db, orgId, batch, lock);
  if (people.some((p) => !mayActOn(p.role))) throw outranked();
  return people;
}

/** Whether the actor may act on everyone a replacement takes out of the department (one aggregate query). */
async function leaversActable(
  db: Kysely<DB>,
  orgId: string,
  departmentId: string,
  staying: readonly string[],
  mayActOn: (role: string) => boolean,
): Promise<boolean> {
  const roles = await db
    .selectFrom('user_departments as m')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'm.org_id').onRef('u.id', '=', 'm.user_id'))
    .select('u.role')
    .distinct()
    .where('m.org_id', '=', orgId)
    .where('m.department_id', '=', departmentId)
    .where(sql<boolean>`not (m.user_id = any(${`{${staying.join(',')}}`}::uuid[]))`)
    .execute();
  return roles.every((r) => mayActOn(r.role));
}

/** What a batch reads of each person: who they are, their role and where it came from, their status. */
type Person = Pick<UserRow, 'id' | 'org_id' | 'role' | 'role_source' | 'status'>;

/** Users of the organisation among `ids`, by id ascending (the lock order); FOR NO KEY UPDATE when `lock`. */
async function usersIn(
  db: Kysely<DB>,
  orgId: string,
  ids: readonly string[],
  lock: boolean,
): Promise<Person[]> {
  let q = db
    .selectFrom('users')
    .select(['id', 'org_id', 'role', 'role_source', 'status'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .orderBy('id');
  if (lock) q = q.forNoKeyUpdate();
  return q.execute();
}

/** The batch's current memberships, by person. */
async function membershipsByPerson(db: Kysely<DB>, orgId: string, batch: readonly string[]) {
  const rows = await db
    .selectFrom('user_departments')
    .select(['user_id', 'department_id', 'is_primary'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', batch)
    .orderBy('user_id')
    .orderBy('is_primary', 'desc')
    .orderBy('department_id')
    .execute();
  const out = new Map<string, Membership[]>();
  for (const id of batch) out.set(id, []);
  for (const r of rows) out.get(r.user_id)?.push({ departmentId: r.department_id, isPrimary: r.is_primary });
  return out;
}

/**
 * One batch in one transaction: department (FOR SHARE), then the people by id ascending, then the
 * memberships, their history intervals, the primary department on the user's row (which the seat ledger
 * follows), and one audit event per person changed. Returns how many changed.
 */
async function applyBatch(
  ctx: CommandContext,
  department: DepartmentRow,
  batch: readonly string[],
  kind: 'add' | 'remove',
  mayActOn: (role: string) => boolean,
  roles: ReadonlyMap<string, RoleKey> | null,
): Promise<number> {
  const orgId = ctx.actor.orgId;
  const sorted = [...batch].sort();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const now = ctx.clock.now();
    const live = await trx
      .selectFrom('departments')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', department.id)
      .where('archived_at', 'is', null)
      .forShare()
      .executeTakeFirst();
    if (!live) throw notFound();
    const { people, current } =
      kind === 'add'
        ? await checkAdditions(trx, orgId, department.id, sorted, mayActOn, true)
        : await removals(trx, orgId, sorted, mayActOn);
    const changes: { userId: string; from: Membership[]; to: Membership[] }[] = [];
    for (const [userId, from] of current) {
      const has = from.find((m) => m.departmentId === department.id);
      if (kind === 'add' && !has) {
        const isPrimary = !from.some((m) => m.isPrimary);
        changes.push({ userId, from, to: [...from, { departmentId: department.id, isPrimary }] });
      } else if (kind === 'remove' && has) {
        changes.push({ userId, from, to: from.filter((m) => m !== has) });
      }
    }
    if (changes.length === 0) return 0;
    const changed = changes.map((c) => c.userId);
    const primaries = new Set(
      changes
        .filter((c) =>
          (kind === 'add' ? c.to : c.from).some((m) => m.departmentId === department.id && m.isPrimary),
        )
        .map((c) => c.userId),
    );
    if (kind === 'add') {
      const rows = changes.map((c) => ({
        org_id: orgId,
        user_id: c.userId,
        department_id: department.id,
        is_primary: primaries.has(c.userId),
      }));
      await trx.insertInto('user_departments').values(rows).execute();
      await trx
        .insertInto('user_department_history')
        .values(rows.map((r) => ({ ...r, valid_from: now, valid_to: null })))
        .execute();
    } else {
      await trx
        .deleteFrom('user_departments')
        .where('org_id', '=', orgId)
        .where('department_id', '=', department.id)
        .where('user_id', 'in', changed)
        .execute();
      await trx
        .updateTable('user_department_history')
        .set({ valid_to: now })
        .where('org_id', '=', orgId)
        .where('department_id', '=', department.id)
        .where('user_id', 'in', changed)
        .where('valid_to', 'is', null)
        .execute();
    }
    if (primaries.size > 0) {
      await trx
        .updateTable('users')
        .set({
          primary_department_id: kind === 'add' ? department.id : null,
          primary_department_changed_at: now,
        })
        .where('org_id', '=', orgId)
        .where('id', 'in', [...primaries])
        .execute();
    }
    const events: AuditEventInput[] = changes.map((c) => ({
      action: 'user.departments_changed',
      targetType: 'user',
      targetId: c.userId,
      changes: { departments: { from: membershipSummary(c.from), to: membershipSummary(c.to) } },
    }));
    await recordAuditEvents(trx, orgId, { actor: ctx.actor, meta: ctx.meta, now }, events);
    if (roles) {
      const byId = new Map(people.map((p) => [p.id, p]));
      for (const c of changes) {
        const person = byId.get(c.userId);
        if (!person || person.status === 'deactivated' || !isRoleKey(person.role)) continue;
        const next = mappedRoleChange(
          person.role,
          person.role_source as RoleSource,
          mappedRoleOf(c.to, roles),
        );
        if (next) await applyRoleChange(scope, ctx, person, person.role, next.to, next.source);
      }
    }
    return changes.length;
  });
}

async function removals(
  db: Kysely<DB>,
  orgId: string,
  batch: readonly string[],
  mayActOn: (role: string) => boolean,
) {
  const people = await peopleToRemove(db, orgId, batch, mayActOn, true);
  return {
    people,
    current: await membershipsByPerson(
      db,
      orgId,
      people.map((p) => p.id),
    ),
  };
}

/**
 * The organisation's group→role mapping (live departments with a `scim_role`), when the actor may apply it:
 * `users:change_role` org-wide (a SCIM token's `role_mapping` scope) and every mapped role one it may grant
 * (a token's `maxRole`). A mapped role that is no role, or a privileged one, is refused as it is when set.
 */
async function roleMappingOf(ctx: CommandContext, mayChangeRoles: boolean): Promise<Map<string, RoleKey>> {
  if (!mayChangeRoles) {
    throw new DomainError(
      'FORBIDDEN',
      'This group grants a role to its members: changing them needs the right to change roles (a SCIM token’s role_mapping scope).',
    );
  }
  const rows = await ctx.db
    .selectFrom('departments')
    .select(['id', 'scim_role'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('archived_at', 'is', null)
    .where('scim_role', 'is not', null)
    .execute();
  const out = new Map<string, RoleKey>();
  for (const r of rows) {
    const role = r.scim_role as string;
    if (!isRoleKey(role) || !groupMayGrant(role) || !actorMayGrantRole(ctx.actor, role)) {
      throw new DomainError('ROLE_NOT_GRANTABLE', undefined, { field: 'members', role });
    }
    out.set(r.id, role);
  }
  return out;
}

function distinct(list: readonly string[]): string[] {
  return [...new Set(list.map((id) => id.toLowerCase()))];
}

function batches<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += memberBatchSize) out.push(list.slice(i, i + memberBatchSize));
  return out;
}

/**
 * Runs `work` on every batch, `memberBatchConcurrency` at a time; the first failure stops the batches not
 * yet started (those running finish) and is thrown.
 */
async function eachConcurrently<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(memberBatchConcurrency, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
