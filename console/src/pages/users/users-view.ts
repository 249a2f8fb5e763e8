import type { graphql } from '../../graphql';
import { userStatuses, type UserStatus } from '../../ui/badges';
import { zonedToInstant } from '../../ui/time-zone';

/**
 * The users table's view — filters, search, sort, columns, page — kept in the address bar, so a view can
 * be bookmarked and shared. Defaults are left out of the URL.
 */
/** A role key of the schema (the role catalogue itself comes from the API's `roles`). */
export type RoleKey = ReturnType<typeof graphql.scalar<'RoleKey'>>;
const roleKeyPattern = /^[A-Z][A-Z_]{0,39}$/;

export const sortFields = ['NAME', 'EMAIL', 'CREATED_AT', 'LAST_ACTIVE_AT'] as const;
export type SortField = (typeof sortFields)[number];

export const columnKeys = [
  'email',
  'status',
  'role',
  'departments',
  'jobTitle',
  'lastActive',
  'created',
] as const;
export type ColumnKey = (typeof columnKeys)[number];
export const columnLabels: Record<ColumnKey, string> = {
  email: 'Email',
  status: 'Status',
  role: 'Role',
  departments: 'Departments',
  jobTitle: 'Job title',
  lastActive: 'Last active',
  created: 'Created',
};
export const defaultColumns: ColumnKey[] = ['email', 'status', 'role', 'lastActive'];
export const pageSizes = [25, 50, 100] as const;

export interface UsersView {
  search: string;
  status: UserStatus[];
  role: RoleKey[];
  department: string | null;
  subtree: boolean;
  /** Calendar days (YYYY-MM-DD) in the viewer's time zone. */
  activeAfter: string | null;
  activeBefore: string | null;
  /** true: never signed in; false: signed in at least once; null: either. */
  neverSignedIn: boolean | null;
  /** Preset: no activity for this many days (counted from now, so a shared link stays relative). */
  inactiveDays: InactiveDays | null;
  sort: SortField;
  direction: 'ASC' | 'DESC';
  columns: ColumnKey[];
  after: string | null;
  /** Set instead of `after` for a page read from the end: the last page (empty) or the one before a cursor. */
  before: string | null;
  pageSize: number;
}

export const inactiveDayChoices = [30, 60, 90] as const;
export type InactiveDays = (typeof inactiveDayChoices)[number];

/** With no status chosen the list shows everyone but deactivated users (choose Deactivated to see them). */
export const defaultStatuses: UserStatus[] = userStatuses.filter((s) => s !== 'DEACTIVATED');

const list = <T extends string>(value: string | null, allowed: readonly T[]): T[] =>
  (value ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));

const day = (value: string | null) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);

export function readView(params: URLSearchParams): UsersView {
  const sort = params.get('sort');
  const size = Number(params.get('size'));
  const never = params.get('signedIn');
  const inactive = Number(params.get('inactive'));
  return {
    search: (params.get('q') ?? '').slice(0, 100),
    status: list(params.get('status'), userStatuses),
    role: (params.get('role') ?? '').split(',').filter((r): r is RoleKey => roleKeyPattern.test(r)),
    department: params.get('dept') || null,
    subtree: params.get('subtree') === '1',
    activeAfter: day(params.get('activeAfter')),
    activeBefore: day(params.get('activeBefore')),
    neverSignedIn: never === 'never' ? true : never === 'ever' ? false : null,
    inactiveDays: (inactiveDayChoices as readonly number[]).includes(inactive)
      ? (inactive as InactiveDays)
      : null,
    sort: (sortFields as readonly string[]).includes(sort ?? '') ? (sort as SortField) : 'NAME',
    direction: params.get('dir') === 'desc' ? 'DESC' : 'ASC',
    columns: params.has('cols') ? list(params.get('cols'), columnKeys) : defaultColumns,
    after: params.get('after') || null,
    before: params.has('after') ? null : params.get('before'),
    pageSize: (pageSizes as readonly number[]).includes(size) ? size : 25,
  };
}

export function writeView(view: UsersView): URLSearchParams {
  const p = new URLSearchParams();
  if (view.search) p.set('q', view.search);
  if (view.status.length) p.set('status', view.status.join(','));
  if (view.role.length) p.set('role', view.role.join(','));
  if (view.department) p.set('dept', view.department);
  if (view.department && view.subtree) p.set('subtree', '1');
  if (view.activeAfter) p.set('activeAfter', view.activeAfter);
  if (view.activeBefore) p.set('activeBefore', view.activeBefore);
  if (view.neverSignedIn !== null) p.set('signedIn', view.neverSignedIn ? 'never' : 'ever');
  if (view.inactiveDays) p.set('inactive', String(view.inactiveDays));
  if (view.sort !== 'NAME') p.set('sort', view.sort);
  if (view.direction === 'DESC') p.set('dir', 'desc');
  if (view.columns.join(',') !== defaultColumns.join(',')) p.set('cols', view.columns.join(','));
  if (view.pageSize !== 25) p.set('size', String(view.pageSize));
  if (view.after) p.set('after', view.after);
  // `before=` (empty) is the last page.
  else if (view.before !== null) p.set('before', view.before);
  return p;
}

export function hasFilters(view: UsersView): boolean {
  return (
    !!view.search ||
    view.status.length > 0 ||
    view.role.length > 0 ||
    !!view.department ||
    !!view.activeAfter ||
    !!view.activeBefore ||
    view.neverSignedIn !== null ||
    view.inactiveDays !== null
  );
}

/** The API's UserFilter for a view; day bounds are whole days in the viewer's time zone. */
export function filterOf(view: UsersView, timeZone: string, now = Date.now()) {
  const nextDay = (d: string) => {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + 1);
    return t.toISOString().slice(0, 10);
  };
  return {
    search: view.search || null,
    status: view.status.length ? view.status : defaultStatuses,
    role: view.role.length ? view.role : null,
    departmentId: view.department,
    includeSubtree: view.department ? view.subtree : null,
    lastActiveAfter: view.activeAfter
      ? (zonedToInstant(view.activeAfter, timeZone)?.toISOString() ?? null)
      : null,
    // "Before" a day includes that whole day. "Inactive for N days": last active before now - N days
    // (to the minute, so the query stays the same while the page is open and its cache works).
    lastActiveBefore: view.inactiveDays
      ? new Date(Math.floor((now - view.inactiveDays * 86_400_000) / 60_000) * 60_000).toISOString()
      : view.activeBefore
        ? (zonedToInstant(nextDay(view.activeBefore), timeZone)?.toISOString() ?? null)
        : null,
    neverSignedIn: view.neverSignedIn,
  };
}
