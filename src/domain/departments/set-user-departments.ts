import { z } from 'zod';
import { reachesDepartment, type Access } from '../../authz/access.js';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { DepartmentRow, UserRow } from '../../db/schema.js';
import { withTransaction, type Tx } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { loadLiveDepartment } from './department-record.js';
import {
  membershipSet,
  membershipsOf,
  membershipSummary,
  replaceMemberships,
  type Membership,
} from './memberships.js';
import { checkPlacementPermissions } from './placement-permissions.js';

export const maxSecondaryDepartments = 50;

const placementInput = z
  .object({
    /** null: no primary department. */
    primaryDepartmentId: z.string().max(64).nullable(),
    secondaryDepartmentIds: z.array(z.string().max(64)).max(maxSecondaryDepartments),
  })
  .strict();

export const setUserDepartmentsInput = z
  .object({
    userId: z.string().max(64),
    /** null: no primary department. */
    primaryDepartmentId: z.string().max(64).nullable(),
    secondaryDepartmentIds: z.array(z.string().max(64)).max(maxSecondaryDepartments),
    /**
     * The placement the caller read before choosing the new one: when given and no longer the user's,
     * VERSION_CONFLICT instead of silently replacing someone else's change.
     */
    expectedPlacement: placementInput.nullish(),
  })
  .strict();

/**
 * Places a user in a primary department and any secondary ones (replacing the current placement), with the
 * membership history closed and opened in the same transaction. Departments must be live and of the
 * actor's organisation (another organisation's answers NOT_FOUND).
 *
 * Needs users:update over the user: org-wide, or as a manager of the user's primary department's subtree,
 * and then every membership that starts or ends (primary or secondary) must lie in the actor's subtrees.
 * For everyone, org-wide administrators included: what the placement hands the user or takes away among
 * the permissions departments add for their members must be held by the actor
 * (DEPARTMENT_PERMISSION_NOT_HELD).
 */
export async function setUserDepartments(
  ctx: CommandContext,
  raw: z.input<typeof setUserDepartmentsInput>,
): Promise<UserRow> {
  const access = await authorizeAnywhere(ctx, 'users:update');
  const input = parseInput(setUserDepartmentsInput, raw);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async ({ trx }) => {
    const user = await lockUser(trx, orgId, input.userId);
    await authorizeOnUser(ctx, trx, 'users:update', user, 'write');
    const current = await membershipsOf(trx, orgId, user.id);
    const expected = input.expectedPlacement;
    if (expected && !samePlacement(current, expected)) throw new DomainError('VERSION_CONFLICT');
    await placeUser(ctx, trx, access, user, current, input);
    return user;
  });
}

/** Whether a user's memberships are exactly the placement given (order of secondaries aside). Pure. */
export function samePlacement(
  current: readonly Membership[],
  p: { primaryDepartmentId: string | null; secondaryDepartmentIds: readonly string[] },
): boolean {
  const want = membershipSet(p.primaryDepartmentId, p.secondaryDepartmentIds).map(key).sort();
  const have = current.map(key).sort();
  return want.length === have.length && want.every((k, i) => k === have[i]);
}

/**
 * Inside the caller's transaction, with the user locked and authorized on: checks and writes a new placement
 * (departments live and in the organisation, manager scope over every membership that starts or ends, the
 * department permissions the change hands out or takes away held by the actor), audited when it changed
 * anything. Shared by setUserDepartments and addDepartmentMembers.
 */
export async function placeUser(
  ctx: CommandContext,
  trx: Tx,
  access: Access,
  user: UserRow,
  current: readonly Membership[],
  placement: { primaryDepartmentId: string | null; secondaryDepartmentIds: readonly string[] },
  /** The input field an error names: for the primary, for the i-th secondary, for secondaries in general. */
  fields: { primary: string; secondary: (i: number) => string; secondaries: string } = {
    primary: 'primaryDepartmentId',
    secondary: (i) => `secondaryDepartmentIds.${i}`,
    secondaries: 'secondaryDepartmentIds',
  },
): Promise<boolean> {
  const orgId = ctx.actor.orgId;
  const now = ctx.clock.now();
  const departments = new Map<string, { row: DepartmentRow; field: string }>();
  if (placement.primaryDepartmentId) {
    const row = await loadLiveDepartment(trx, orgId, placement.primaryDepartmentId, fields.primary);
    departments.set(row.id, { row, field: fields.primary });
  }
  for (const [i, id] of placement.secondaryDepartmentIds.entries()) {
    const field = fields.secondary(i);
    const row = await loadLiveDepartment(trx, orgId, id, field);
    if (!departments.has(row.id)) departments.set(row.id, { row, field });
  }
  const next = membershipSet(placement.primaryDepartmentId, placement.secondaryDepartmentIds);
  await checkScope(trx, access, orgId, current, next, departments);
  await checkPlacementPermissions(trx, access, orgId, current, next, (m) =>
    next.includes(m)
      ? departments.get(m.departmentId)!.field
      : m.isPrimary
        ? fields.primary
        : fields.secondaries,
  );
  const r = await replaceMemberships(trx, orgId, user.id, next, now);
  if (!r.changed) return false;
  await recordAuditEvent(
    trx,
    orgId,
    { actor: ctx.actor, meta: ctx.meta, now },
    {
      action: 'user.departments_changed',
      targetType: 'user',
      targetId: user.id,
      changes: { departments: { from: membershipSummary(r.from), to: membershipSummary(r.to) } },
    },
  );
  return true;
}

const key = (m: Membership) => `${m.departmentId}:${m.isPrimary ? 'p' : 's'}`;

/**
 * Through manager scope, every membership that starts or ends (a switch between primary and secondary is
 * both) must be in the actor's users:update subtrees: a manager places users within its subtrees only.
 */
async function checkScope(
  trx: Tx,
  access: Access,
  orgId: string,
  current: readonly Membership[],
  next: readonly Membership[],
  given: ReadonlyMap<string, { row: DepartmentRow; field: string }>,
): Promise<void> {
  if (access.orgWide.has('users:update')) return;
  const held = new Set(current.map(key));
  const wanted = new Set(next.map(key));
  const started = next.filter((m) => !held.has(key(m)));
  const ended = current.filter((m) => !wanted.has(key(m)));
  for (const m of started) {
    const d = given.get(m.departmentId)!;
    if (!reachesDepartment(access, 'users:update', d.row.path)) throw outOfScope(d.field);
  }
  if (ended.length === 0) return;
  const rows = await trx
    .selectFrom('departments')
    .select(['id', 'path'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set(ended.map((m) => m.departmentId))])
    .execute();
  const pathOf = new Map(rows.map((r) => [r.id, r.path]));
  for (const m of ended) {
    const path = pathOf.get(m.departmentId);
    if (path === undefined || !reachesDepartment(access, 'users:update', path)) {
      throw outOfScope(m.isPrimary ? 'primaryDepartmentId' : 'secondaryDepartmentIds');
    }
  }
}

function outOfScope(field: string): DomainError {
  return new DomainError('FORBIDDEN', 'That department is outside the departments you manage.', { field });
}
