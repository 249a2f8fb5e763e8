import type { DepartmentRow, UserRow } from '../../src/db/schema.js';
import { archiveDepartment } from '../../src/domain/departments/archive-department.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import { acceptInvitation } from '../../src/domain/invitations/accept-invitation.js';
import type { CostFigures, CostLine } from '../../src/domain/reports/cost-rollup.js';
import type { CommandContext } from '../../src/domain/shared/context.js';
import { deactivateUser } from '../../src/domain/users/deactivate-user.js';
import { inviteUsers } from '../../src/domain/users/invite-users.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { actorFor, authenticatedNow, contextFor, createOrg, createUser } from './factories.js';
import type { TestRuntime } from './test-runtime.js';

/**
 * The cost report's hand-computed scenario, built through the domain commands with `rt.clock` moved
 * between steps, so the status and membership histories are the real ones.
 *
 * Tree: Annex (no rate, no cost centre) and Directorate (rate 100, CC D-100) > Division (none: inherits
 * 100 and D-100) > Unit (rate 80, CC U-7), and Division > Old Team (none), archived on 03-25.
 *
 * Timeline (2026, UTC):
 * - 02-02 invitations into departments (invited); 02-03 all but two accept (active).
 * - 03-05 `divActive` gets a secondary membership of Unit (no seat there).
 * - 03-12 `unitSuspendee` suspended.  03-16 `mover` moved Division -> Unit.
 * - 03-18 `dirLeaver` deactivated.     03-25 Old Team archived, its member moved to Division.
 * - "now" is 04-01.
 *
 * Users are invited and accept rather than come from the `createUser` factory: the factory leaves
 * `status_changed_at` to the database's clock, which would start their status history at the real date.
 */
export const scenarioTimes = {
  invited: '2026-02-02T09:00:00.000Z',
  accepted: '2026-02-03T09:00:00.000Z',
  secondary: '2026-03-05T09:00:00.000Z',
  suspended: '2026-03-12T10:00:00.000Z',
  moved: '2026-03-16T10:00:00.000Z',
  deactivated: '2026-03-18T10:00:00.000Z',
  archived: '2026-03-25T10:00:00.000Z',
  now: '2026-04-01T09:00:00.000Z',
} as const;

const password = 'correct horse battery staple 42';
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));

export interface CostScenario {
  orgId: string;
  admin: UserRow;
  ctx: CommandContext;
  dept: Record<'annex' | 'directorate' | 'division' | 'unit' | 'oldTeam', DepartmentRow>;
  users: Record<string, UserRow>;
}

/** Builds the scenario; `names` overrides department names (e.g. a formula-looking one). Leaves the clock at "now". */
export async function buildCostScenario(
  rt: TestRuntime,
  names: Partial<Record<keyof CostScenario['dept'], string>> = {},
): Promise<CostScenario> {
  const s = rt.services;
  rt.clock.set(scenarioTimes.invited);
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const ctx = contextFor(s, await actorFor(s, admin));

  const annex = await createDepartment(ctx, { name: names.annex ?? 'Annex', code: 'ANX' });
  const directorate = await createDepartment(ctx, {
    name: names.directorate ?? 'Directorate',
    code: 'DIR',
    costCentre: 'D-100',
    monthlyCostPerSeat: 100,
  });
  const division = await createDepartment(ctx, {
    name: names.division ?? 'Division',
    code: 'DIV',
    parentId: directorate.id,
  });
  const unit = await createDepartment(ctx, {
    name: names.unit ?? 'Unit',
    code: 'UNIT',
    parentId: division.id,
    costCentre: 'U-7',
    monthlyCostPerSeat: 80,
  });
  const oldTeam = await createDepartment(ctx, {
    name: names.oldTeam ?? 'Old Team',
    code: 'OLD',
    parentId: division.id,
  });

  const placements: [string, DepartmentRow, boolean][] = [
    ['dirActive1', directorate, true],
    ['dirActive2', directorate, true],
    ['dirLeaver', directorate, true],
    ['dirInvitee', directorate, false],
    ['mover', division, true],
    ['divActive', division, true],
    ['oldMember', oldTeam, true],
    ['unitActive1', unit, true],
    ['unitActive2', unit, true],
    ['unitSuspendee', unit, true],
    ['unitInvitee', unit, false],
    ['annexActive', annex, true],
  ];
  const issued = await inviteUsers(ctx, {
    invitations: placements.map(([name, d]) => ({
      email: `${name.toLowerCase()}@example.test`,
      role: 'viewer',
      displayName: name,
      departmentId: d.id,
    })),
  });
  const users: Record<string, UserRow> = {};
  placements.forEach(([name], i) => (users[name] = issued[i]!.user));

  rt.clock.set(scenarioTimes.accepted);
  for (const [i, [name, , accepts]] of placements.entries()) {
    if (accepts) users[name] = await acceptInvitation(s, { token: tokenOf(issued[i]!.link), password });
  }

  rt.clock.set(scenarioTimes.secondary);
  await setUserDepartments(ctx, {
    userId: users.divActive!.id,
    primaryDepartmentId: division.id,
    secondaryDepartmentIds: [unit.id],
  });
  rt.clock.set(scenarioTimes.suspended);
  await suspendUser(ctx, { userId: users.unitSuspendee!.id, reason: 'Investigation pending' });
  rt.clock.set(scenarioTimes.moved);
  await setUserDepartments(ctx, {
    userId: users.mover!.id,
    primaryDepartmentId: unit.id,
    secondaryDepartmentIds: [],
  });
  rt.clock.set(scenarioTimes.deactivated);
  await authenticatedNow(rt.services, ctx.actor);
  await deactivateUser(ctx, { userId: users.dirLeaver!.id, reason: 'Left the organisation' });
  rt.clock.set(scenarioTimes.archived);
  await archiveDepartment(ctx, { departmentId: oldTeam.id, moveMembersTo: division.id });
  rt.clock.set(scenarioTimes.now);

  return { orgId: org.id, admin, ctx, dept: { annex, directorate, division, unit, oldTeam }, users };
}

/** Figures as a compact tuple: [active, suspended, invited, billable, monthlyCost]. */
export type FigureTuple = [number, number, number, number, number];
export const tuple = (f: CostFigures): FigureTuple => [
  f.active,
  f.suspended,
  f.invited,
  f.billable,
  f.monthlyCost,
];

/** Each reported department by its name path: own and subtree tuples. */
export function figuresByPath(lines: readonly CostLine<DepartmentRow>[]) {
  return Object.fromEntries(
    lines.map((l) => [l.namePath.join(' / '), { own: tuple(l.own), subtree: tuple(l.subtree) }]),
  );
}

/**
 * The hand-computed expectations. Rates: Directorate 100 (Division and Old Team inherit it), Unit 80,
 * Annex none. Billable = active + suspended.
 */
export const expected = {
  // 03-10: mover in Division, suspendee active, leaver active, Old Team still holds its member.
  '2026-03-10': {
    departments: {
      Annex: { own: [1, 0, 0, 1, 0], subtree: [1, 0, 0, 1, 0] },
      Directorate: { own: [3, 0, 1, 3, 300], subtree: [9, 0, 2, 9, 840] },
      'Directorate / Division': { own: [2, 0, 0, 2, 200], subtree: [6, 0, 1, 6, 540] },
      'Directorate / Division / Old Team': { own: [1, 0, 0, 1, 100], subtree: [1, 0, 0, 1, 100] },
      'Directorate / Division / Unit': { own: [3, 0, 1, 3, 240], subtree: [3, 0, 1, 3, 240] },
    },
    costCentres: [
      ['D-100', 3, [6, 0, 1, 6, 600]],
      ['U-7', 1, [3, 0, 1, 3, 240]],
      [null, 1, [1, 0, 0, 1, 0]],
    ],
    totals: [10, 0, 2, 10, 840],
  },
  // 03-20: mover in Unit, suspendee suspended, leaver gone; Old Team (archived later) still shown.
  '2026-03-20': {
    departments: {
      Annex: { own: [1, 0, 0, 1, 0], subtree: [1, 0, 0, 1, 0] },
      Directorate: { own: [2, 0, 1, 2, 200], subtree: [7, 1, 2, 8, 720] },
      'Directorate / Division': { own: [1, 0, 0, 1, 100], subtree: [5, 1, 1, 6, 520] },
      'Directorate / Division / Old Team': { own: [1, 0, 0, 1, 100], subtree: [1, 0, 0, 1, 100] },
      'Directorate / Division / Unit': { own: [3, 1, 1, 4, 320], subtree: [3, 1, 1, 4, 320] },
    },
    costCentres: [
      ['D-100', 3, [4, 0, 1, 4, 400]],
      ['U-7', 1, [3, 1, 1, 4, 320]],
      [null, 1, [1, 0, 0, 1, 0]],
    ],
    totals: [8, 1, 2, 9, 720],
  },
  // now (04-01): Old Team archived without seats (hidden), its member in Division.
  now: {
    departments: {
      Annex: { own: [1, 0, 0, 1, 0], subtree: [1, 0, 0, 1, 0] },
      Directorate: { own: [2, 0, 1, 2, 200], subtree: [7, 1, 2, 8, 720] },
      'Directorate / Division': { own: [2, 0, 0, 2, 200], subtree: [5, 1, 1, 6, 520] },
      'Directorate / Division / Unit': { own: [3, 1, 1, 4, 320], subtree: [3, 1, 1, 4, 320] },
    },
    costCentres: [
      ['D-100', 2, [4, 0, 1, 4, 400]],
      ['U-7', 1, [3, 1, 1, 4, 320]],
      [null, 1, [1, 0, 0, 1, 0]],
    ],
    totals: [8, 1, 2, 9, 720],
  },
} satisfies Record<
  string,
  {
    departments: Record<string, { own: FigureTuple; subtree: FigureTuple }>;
    costCentres: [string | null, number, FigureTuple][];
    totals: FigureTuple;
  }
>;
