import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB, DepartmentRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import { isUuid } from '../shared/ids.js';

/** Statuses that count as members: they hold (or will hold) a seat. */
export const liveUserStatuses = ['invited', 'active', 'suspended'] as const;

export const departmentFields = {
  name: z.string().trim().min(1).max(200),
  code: z
    .string()
    .trim()
    .regex(/^[A-Z0-9_-]{1,32}$/, 'Use 1-32 capital letters, digits, _ or -.')
    .nullish(),
  description: z.string().trim().max(2000).nullish(),
  costCentre: z.string().trim().max(64).nullish(),
  /** null: inherit from the parent department. */
  monthlyCostPerSeat: z.number().min(0).max(1e9).nullish(),
  /** The identity provider's id for it as a SCIM Group: compared exactly, unique among live departments. */
  externalId: z.string().min(1).max(256).nullish(),
};

/** The path of a department under `parent` (null: a root). Pure. */
export function pathUnder(parent: Pick<DepartmentRow, 'path'> | null, id: string): string {
  return `${parent?.path ?? ''}${id}/`;
}

/** Whether `candidate` is `dept` itself or lies in its subtree. Pure. */
export function isInSubtree(
  dept: Pick<DepartmentRow, 'path'>,
  candidate: Pick<DepartmentRow, 'path'>,
): boolean {
  return candidate.path.startsWith(dept.path);
}

/** Ancestor ids of a department, root first (its own id excluded). Pure. */
export function ancestorIds(dept: Pick<DepartmentRow, 'path'>): string[] {
  return dept.path.split('/').filter(Boolean).slice(0, -1);
}

/** Loads (and with `lock`, row-locks) a department of the organisation; another org's is NOT_FOUND. */
export async function loadDepartment(
  trx: Kysely<DB>,
  orgId: string,
  id: string,
  opts: { lock?: boolean; field?: string } = {},
): Promise<DepartmentRow> {
  const notFound = () =>
    new DomainError('NOT_FOUND', undefined, opts.field ? { field: opts.field } : undefined);
  if (!isUuid(id)) throw notFound();
  let q = trx.selectFrom('departments').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  // NO KEY UPDATE: a department's id never changes, and FOR UPDATE would block the foreign-key checks of
  // every membership or manager row inserted for it by a transaction that already holds a user row.
  if (opts.lock) q = q.forNoKeyUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** A live (non-archived) department, for placing users or children in it. */
export async function loadLiveDepartment(
  trx: Tx,
  orgId: string,
  id: string,
  field: string,
): Promise<DepartmentRow> {
  const d = await loadDepartment(trx, orgId, id, { field });
  if (d.archived_at) throw new DomainError('VALIDATION_FAILED', 'That department is archived.', { field });
  return d;
}

/**
 * Serialises changes to the shape of one organisation's tree: two concurrent moves (A under B, B under A)
 * would each pass the cycle check on their own snapshot. Locking the organisation row queues them.
 * FOR NO KEY UPDATE, not FOR UPDATE: every insert that references the organisation (audit events, seat
 * ledger rows, sessions) takes the foreign key's KEY SHARE lock on this row, which FOR UPDATE would block —
 * a tree change waiting behind an audit append that waits for the tree change was the exports' deadlock.
 */
export async function lockTree(trx: Tx, orgId: string): Promise<void> {
  await trx.selectFrom('organizations').select('id').where('id', '=', orgId).forNoKeyUpdate().execute();
}

/** Refuses a code another live department of the organisation already uses. */
export async function checkCodeFree(trx: Tx, orgId: string, code: string, exceptId?: string): Promise<void> {
  let q = trx
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('code', '=', code)
    .where('archived_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst())
    throw new DomainError('DEPARTMENT_CODE_TAKEN', undefined, { field: 'code' });
}

/** EXTERNAL_ID_TAKEN when another live department of the organisation has this externalId (exactly). */
export async function checkExternalIdFree(trx: Tx, orgId: string, externalId: string, exceptId?: string) {
  let q = trx
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('external_id', '=', externalId)
    .where('archived_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst())
    throw new DomainError('EXTERNAL_ID_TAKEN', undefined, { field: 'externalId' });
}

/** The unique index a concurrent writer of the same department externalId trips (see externalIdRace). */
export const departmentExternalIdIndex = 'departments_org_external_id';

/** `path LIKE prefix%` with LIKE's wildcards escaped (paths hold only uuids and '/', but be exact). */
export function subtreePattern(path: string): string {
  return `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const bumpDepartmentVersion = sql<number>`version + 1`;
