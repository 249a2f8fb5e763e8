import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import type { DepartmentRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvents, type AuditEventInput } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { checkVersion } from '../shared/check-version.js';
import { parseInput } from '../shared/parse-input.js';
import {
  bumpDepartmentVersion,
  isInSubtree,
  liveUserStatuses,
  loadDepartment,
  loadLiveDepartment,
  lockTree,
  subtreePattern,
} from './department-record.js';
import { membershipsOf, membershipSummary, replaceMemberships, type Membership } from './memberships.js';

export const archiveDepartmentInput = z
  .object({
    departmentId: z.string().max(64),
    /** Where the subtree's members go (a live department outside the subtree), in the same transaction. */
    moveMembersTo: z.string().max(64).nullish(),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/**
 * Where a member's memberships go when departments close: a membership in a closing department becomes one
 * in `target` (keeping primary/secondary); a secondary that would duplicate one already held is dropped.
 * Pure.
 */
export function relocate(
  ms: readonly Membership[],
  closing: ReadonlySet<string>,
  target: string,
): Membership[] {
  const kept = ms.filter((m) => !closing.has(m.departmentId));
  const moved = ms.filter((m) => closing.has(m.departmentId));
  const out = kept.filter((m) => !(m.departmentId === target && moved.some((x) => x.isPrimary)));
  for (const m of moved.sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary))) {
    if (!out.some((x) => x.departmentId === target))
      out.push({ departmentId: target, isPrimary: m.isPrimary });
  }
  return out;
}

/**
 * Archives a department. Refused (DEPARTMENT_NOT_EMPTY) while its subtree has live sub-departments, or live
 * users (invited, active, suspended) as primary or secondary members — unless `moveMembersTo` names where
 * they go, in which case they are moved in the same transaction (each move audited).
 */
export async function archiveDepartment(
  ctx: CommandContext,
  raw: z.input<typeof archiveDepartmentInput>,
): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:manage');
  const input = parseInput(archiveDepartmentInput, raw);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async ({ trx }) => {
    const now = ctx.clock.now();
    await lockTree(trx, orgId);
    const dept = await loadDepartment(trx, orgId, input.departmentId, { lock: true });
    checkVersion(dept, input.expectedVersion);
    if (dept.archived_at) throw new DomainError('VALIDATION_FAILED', 'The department is already archived.');
    const subtree = await trx
      .selectFrom('departments')
      .select(['id', 'archived_at'])
      .where('org_id', '=', orgId)
      .where('path', 'like', subtreePattern(dept.path))
      .execute();
    if (subtree.some((d) => d.id !== dept.id && !d.archived_at)) {
      throw new DomainError('DEPARTMENT_NOT_EMPTY', undefined, { reason: 'children' });
    }
    const closing = new Set(subtree.map((d) => d.id));
    const members = await trx
      .selectFrom('user_departments as ud')
      .innerJoin('users as u', 'u.id', 'ud.user_id')
      .select('ud.user_id')
      .distinct()
      .where('ud.org_id', '=', orgId)
      .where('ud.department_id', 'in', [...closing])
      .where('u.status', 'in', liveUserStatuses)
      .execute();
    const events: AuditEventInput[] = [];
    if (members.length > 0) {
      if (!input.moveMembersTo)
        throw new DomainError('DEPARTMENT_NOT_EMPTY', undefined, { reason: 'members' });
      const target = await loadLiveDepartment(trx, orgId, input.moveMembersTo, 'moveMembersTo');
      if (isInSubtree(dept, target)) {
        throw new DomainError('VALIDATION_FAILED', 'Move the members outside the archived subtree.', {
          field: 'moveMembersTo',
        });
      }
      // The members' rows are locked in id order before their memberships are read and replaced (the lock
      // order of docs/ARCHITECTURE.md): a concurrent setUserDepartments of one of them, which locks the
      // user first, then waits instead of being overwritten, and two multi-user changes cannot deadlock.
      await trx
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where(
          'id',
          'in',
          members.map((m) => m.user_id),
        )
        .orderBy('id')
        .forNoKeyUpdate()
        .execute();
      for (const { user_id } of [...members].sort((a, b) => (a.user_id < b.user_id ? -1 : 1))) {
        const current = await membershipsOf(trx, orgId, user_id);
        const r = await replaceMemberships(trx, orgId, user_id, relocate(current, closing, target.id), now);
        events.push({
          action: 'user.departments_changed',
          targetType: 'user',
          targetId: user_id,
          changes: { departments: { from: membershipSummary(r.from), to: membershipSummary(r.to) } },
          reason: `Department ${dept.id} archived`,
        });
      }
    }
    const archived = await trx
      .updateTable('departments')
      .set({ archived_at: now, updated_at: now, version: bumpDepartmentVersion })
      .where('org_id', '=', orgId)
      .where('id', '=', dept.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    events.push({
      action: 'department.archived',
      targetType: 'department',
      targetId: dept.id,
      changes: { membersMovedTo: input.moveMembersTo ?? null, membersMoved: members.length },
    });
    await recordAuditEvents(trx, orgId, { actor: ctx.actor, meta: ctx.meta, now }, events);
    return archived;
  });
}
