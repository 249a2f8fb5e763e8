import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { z } from 'zod';
import { roleKeys } from '../../authz/roles.js';
import type { DB } from '../../db/schema.js';
import { subtreePattern } from '../departments/department-record.js';
import { userStatuses } from './user-status.js';

/** What the user list can be narrowed by. Every part is optional; parts combine with AND. */
export const userFilterSchema = z
  .object({
    /** Any of these statuses; an empty list does not narrow. */
    status: z.array(z.enum(userStatuses)).max(10).nullish(),
    /** Any of these roles; an empty list does not narrow. */
    role: z.array(z.enum(roleKeys)).max(20).nullish(),
    /** Case-insensitive text in the name or email; see `planSearch`. */
    search: z.string().trim().min(1).max(100).nullish(),
    /** Half-open ranges: `after` is inclusive, `before` exclusive, so adjacent ranges tile. */
    createdAfter: z.coerce.date().nullish(),
    createdBefore: z.coerce.date().nullish(),
    lastActiveAfter: z.coerce.date().nullish(),
    lastActiveBefore: z.coerce.date().nullish(),
    /** true: never signed in (no last sign-in); false: signed in at least once. */
    neverSignedIn: z.boolean().nullish(),
    /** Members (primary or secondary) of this department; of its whole subtree with `includeSubtree`. */
    departmentId: z.string().uuid().nullish(),
    includeSubtree: z.boolean().nullish(),
  })
  .strict();

export type UserFilter = z.output<typeof userFilterSchema>;
/** The filter as callers pass it (validated by the command). */
export type UserFilterInput = z.input<typeof userFilterSchema>;

/** A filter ready for SQL: with `departmentId` + `includeSubtree`, the department's path read beforehand. */
export interface ResolvedUserFilter extends UserFilter {
  /** The subtree's materialised path; null when the department is not one of the organisation's. */
  subtreePath?: string | null;
}

/**
 * Reads the path of the department whose subtree the filter asks for (one indexed row), so that the list
 * query carries the subtree as a literal pattern (`path LIKE '/a/b/%'`). With the pattern known at plan time
 * the planner estimates the subtree from the path statistics (a team: a few hundred members; the root: all
 * of them) and picks the plan and the approximate count accordingly; a pattern computed inside the query
 * (`LIKE top.path || '%'`) is a blind guess of a few departments, which made listing a 66,000-member
 * division take a second and the whole organisation 13 s at 1M users (docs/benchmarks.md).
 */
export async function resolveUserFilter(
  db: Kysely<DB>,
  orgId: string,
  f: UserFilter | undefined,
): Promise<ResolvedUserFilter | undefined> {
  if (!f?.departmentId || !f.includeSubtree) return f;
  const row = await db
    .selectFrom('departments')
    .select('path')
    .where('org_id', '=', orgId)
    .where('id', '=', f.departmentId)
    .executeTakeFirst();
  return { ...f, subtreePath: row?.path ?? null };
}

/** Escapes LIKE's wildcards (and its escape character) so that they match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type SearchPlan =
  /** `search_text LIKE '%term%'` (term lower-cased). */
  | { kind: 'substring'; pattern: string }
  /** A word of the name or the email starts with the term: `LIKE 'term%' OR LIKE '% term%'`. */
  | { kind: 'word_prefix'; start: string; afterSpace: string };

/** The trigram index narrows a substring search only if the term has a run of 3 letters or digits. */
export const minTrigramWord = 3;

/**
 * How a search term is matched; both kinds are answered by the trigram index (users_search_trgm).
 *
 * `search_text` is lower case by construction (`searchTextOf`), so LIKE with the lower-cased term is the
 * case-insensitive match; ILIKE would lower every candidate row again (measured 25-40% slower at 1M users).
 *
 * A term with a word of 3 or more letters or digits is a case-insensitive substring search over name and
 * email. Shorter terms ("jo", "a.b") contain no trigram, so a substring search would read every user of the
 * organisation. They match instead where a word of the display name or the email STARTS with the term
 * (`search_text` is "display name email": the term at its start or after a space): "sm" finds "John Smith",
 * "jo" finds "Joanna Lee" and "jo.lee@...". pg_trgm pads the start of each word, so such a pattern still
 * yields an indexed trigram ("  s", " sm"). Pure.
 */
export function planSearch(term: string): SearchPlan {
  const lower = term.toLowerCase();
  const escaped = escapeLike(lower);
  const longestWord = Math.max(0, ...(lower.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => [...w].length));
  return longestWord >= minTrigramWord
    ? { kind: 'substring', pattern: `%${escaped}%` }
    : { kind: 'word_prefix', start: `${escaped}%`, afterSpace: `% ${escaped}%` };
}

/**
 * Where a reader may look: the whole organisation, or (a department manager reading through its scope)
 * the users whose PRIMARY department lies in one of these subtree paths (`reachOf(access, 'users:read')`).
 */
export type UserReach = 'organization' | readonly string[];

/**
 * The WHERE of the user list and of its counts: always the organisation, then the reader's reach, then the
 * filter.
 */
export function userFilterWhere(
  eb: ExpressionBuilder<DB, 'users'>,
  orgId: string,
  f: ResolvedUserFilter | undefined,
  reach: UserReach = 'organization',
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [eb('org_id', '=', orgId)];
  if (reach !== 'organization') parts.push(primaryDepartmentIn(eb, orgId, reach));
  if (!f) return eb.and(parts);
  if (f.status && f.status.length > 0) parts.push(eb('status', 'in', [...new Set(f.status)]));
  if (f.role && f.role.length > 0) parts.push(eb('role', 'in', [...new Set(f.role)]));
  if (f.search) {
    const plan = planSearch(f.search);
    parts.push(
      plan.kind === 'substring'
        ? eb('search_text', 'like', plan.pattern)
        : eb.or([eb('search_text', 'like', plan.start), eb('search_text', 'like', plan.afterSpace)]),
    );
  }
  if (f.createdAfter) parts.push(eb('created_at', '>=', f.createdAfter));
  if (f.createdBefore) parts.push(eb('created_at', '<', f.createdBefore));
  if (f.lastActiveAfter) parts.push(eb('last_active_at', '>=', f.lastActiveAfter));
  if (f.lastActiveBefore) parts.push(eb('last_active_at', '<', f.lastActiveBefore));
  if (f.neverSignedIn != null) parts.push(eb('last_login_at', f.neverSignedIn ? 'is' : 'is not', null));
  if (f.departmentId) parts.push(inDepartment(eb, orgId, f.departmentId, f));
  return eb.and(parts);
}

/**
 * Membership (primary or secondary) of a department, or of its subtree: the departments whose materialised
 * path starts with the department's own (`resolveUserFilter`), answered by the (org_id, path
 * text_pattern_ops) index. Another organisation's department matches nobody.
 */
function inDepartment(
  eb: ExpressionBuilder<DB, 'users'>,
  orgId: string,
  departmentId: string,
  f: ResolvedUserFilter,
): Expression<SqlBool> {
  if (f.includeSubtree && f.subtreePath === undefined) {
    throw new Error('a subtree filter must be resolved first (resolveUserFilter)');
  }
  if (f.includeSubtree && f.subtreePath === null) return sql<SqlBool>`false`;
  return eb.exists(
    eb
      .selectFrom('user_departments as ud')
      .select(sql.lit(1).as('one'))
      .whereRef('ud.user_id', '=', 'users.id')
      .where('ud.org_id', '=', orgId)
      .where((w) =>
        f.includeSubtree && f.subtreePath
          ? w(
              'ud.department_id',
              'in',
              w
                .selectFrom('departments as d')
                .select('d.id')
                .where('d.org_id', '=', orgId)
                .where('d.path', 'like', subtreePattern(f.subtreePath)),
            )
          : w('ud.department_id', '=', departmentId),
      ),
  );
}

/**
 * The user's primary department lies in one of the subtrees (paths of managed departments): answered by
 * the index users_org_primary_department over the departments found by the (org_id, path) index. Archived
 * departments of a subtree count too (their former members stay in their manager's view). No paths: nobody.
 * The column names are bare on the users side so the condition also applies to a subquery of users rows.
 */
export function primaryDepartmentIn(
  eb: ExpressionBuilder<DB, 'users'>,
  orgId: string,
  paths: readonly string[],
): Expression<SqlBool> {
  if (paths.length === 0) return sql<SqlBool>`false`;
  return eb(
    'primary_department_id',
    'in',
    eb
      .selectFrom('departments as reach_d')
      .select('reach_d.id')
      .where('reach_d.org_id', '=', orgId)
      .where((w) => w.or(paths.map((p) => w('reach_d.path', 'like', subtreePattern(p))))),
  );
}
