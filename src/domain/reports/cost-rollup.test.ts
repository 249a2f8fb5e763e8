import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costRollup, toCents, type RollupDepartment, type SeatCount } from './cost-rollup.js';

interface Dept extends RollupDepartment {
  code: string | null;
}

/** A department under `parent` (null: a root), with an id made readable for the test. */
function dept(
  id: string,
  parent: Dept | null,
  o: { rate?: number | string | null; cc?: string | null; archived?: boolean } = {},
): Dept {
  return {
    id,
    name: id[0]!.toUpperCase() + id.slice(1),
    code: null,
    path: `${parent?.path ?? ''}${id}/`,
    archived_at: o.archived ? new Date('2026-01-01T00:00:00Z') : null,
    cost_centre: o.cc ?? null,
    monthly_cost_per_seat: o.rate ?? null,
  };
}

const directorate = dept('directorate', null, { rate: 100, cc: 'D-100' });
const division = dept('division', directorate);
const unit = dept('unit', division, { rate: '80.00', cc: 'U-7' });
const other = dept('other', null);
const old = dept('old', division, { archived: true });
const closed = dept('closed', division, { archived: true });
const departments = [other, unit, directorate, closed, division, old];

const seat = (departmentId: string, status: string, seats: number): SeatCount => ({
  departmentId,
  status,
  seats,
});
const seats = [
  seat('directorate', 'active', 2),
  seat('directorate', 'suspended', 1),
  seat('directorate', 'invited', 1),
  seat('directorate', 'deactivated', 7),
  seat('division', 'active', 1),
  seat('unit', 'active', 3),
  seat('unit', 'suspended', 1),
  seat('unit', 'invited', 2),
  seat('other', 'active', 5),
  seat('closed', 'invited', 1),
  seat('elsewhere', 'active', 9),
];

const fig = (active: number, suspended: number, invited: number, monthlyCost: number) => ({
  active,
  suspended,
  invited,
  billable: active + suspended,
  monthlyCost,
});

describe('costRollup', () => {
  const r = costRollup({ departments, seats });
  const line = (id: string) => r.departments.find((l) => l.department.id === id)!;

  it('counts own seats in the primary department, bills active + suspended at the effective rate', () => {
    expect(line('directorate').own).toEqual(fig(2, 1, 1, 300));
    expect(line('division').own).toEqual(fig(1, 0, 0, 100));
    expect(line('unit').own).toEqual(fig(3, 1, 2, 320));
    expect(line('other').own).toEqual(fig(5, 0, 0, 0));
    expect(line('closed').own).toEqual(fig(0, 0, 1, 0));
  });

  it('inherits rate and cost centre from the nearest ancestor that has one, and says from which', () => {
    expect(line('directorate')).toMatchObject({ rate: 100, rateInheritedFrom: null, costCentre: 'D-100' });
    expect(line('division')).toMatchObject({
      rate: 100,
      rateInheritedFrom: directorate,
      costCentre: 'D-100',
      costCentreInheritedFrom: directorate,
    });
    expect(line('unit')).toMatchObject({
      rate: 80,
      rateInheritedFrom: null,
      costCentre: 'U-7',
      costCentreInheritedFrom: null,
    });
    expect(line('other')).toMatchObject({
      rate: null,
      rateInheritedFrom: null,
      costCentre: null,
      costCentreInheritedFrom: null,
    });
  });

  it('sums subtrees over each department at its own rate', () => {
    expect(line('directorate').subtree).toEqual(fig(6, 2, 4, 720));
    expect(line('division').subtree).toEqual(fig(4, 1, 3, 420));
    expect(line('unit').subtree).toEqual(fig(3, 1, 2, 320));
  });

  it('lists the tree in order, siblings by name, and hides archived departments without seats', () => {
    expect(r.departments.map((l) => l.namePath.join(' / '))).toEqual([
      'Directorate',
      'Directorate / Division',
      'Directorate / Division / Closed',
      'Directorate / Division / Unit',
      'Other',
    ]);
  });

  it('groups own figures by effective cost centre, the null group last, and totals them', () => {
    expect(r.costCentres).toEqual([
      { costCentre: 'D-100', departmentCount: 3, figures: fig(3, 1, 2, 400) },
      { costCentre: 'U-7', departmentCount: 1, figures: fig(3, 1, 2, 320) },
      { costCentre: null, departmentCount: 1, figures: fig(5, 0, 0, 0) },
    ]);
    expect(r.totals).toEqual(fig(11, 2, 4, 720));
  });

  it('narrows to a subtree, still inheriting from (and naming) ancestors outside it', () => {
    const n = costRollup({ departments, seats, rootId: 'division' });
    expect(n.departments.map((l) => l.department.id)).toEqual(['division', 'closed', 'unit']);
    expect(n.departments[0]).toMatchObject({ rate: 100, rateInheritedFrom: directorate });
    expect(n.departments[2]!.namePath).toEqual(['Directorate', 'Division', 'Unit']);
    expect(n.totals).toEqual(fig(4, 1, 3, 420));
    expect(n.costCentres.map((c) => [c.costCentre, c.figures.monthlyCost])).toEqual([
      ['D-100', 100],
      ['U-7', 320],
    ]);
  });

  it('keeps cents exact: lines are billable x rate in cents, sums are sums of the lines', () => {
    const a = dept('a', null, { rate: 33.33 });
    const b = dept('b', a, { rate: 0.1 });
    const c = dept('c', a, { rate: 19.99 });
    const x = costRollup({
      departments: [a, b, c],
      seats: [seat('a', 'active', 3), seat('b', 'active', 3), seat('c', 'suspended', 7)],
    });
    expect(x.departments.map((l) => l.own.monthlyCost)).toEqual([99.99, 0.3, 139.93]);
    expect(x.totals.monthlyCost).toBe(240.22);
    expect(x.departments[0]!.subtree.monthlyCost).toBe(240.22);
  });

  it('refuses a root it was not given', () => {
    expect(() => costRollup({ departments, seats, rootId: 'nowhere' })).toThrow(/nowhere/);
  });
});

describe('toCents', () => {
  it('rounds half away from zero, without binary noise', () => {
    expect(toCents(0.285)).toBe(29);
    expect(toCents(1.005)).toBe(101);
    expect(toCents(-0.285)).toBe(-29);
    expect(toCents(0.284)).toBe(28);
    expect(toCents(80)).toBe(8000);
    expect(toCents(0)).toBe(0);
  });
});

describe('costRollup sums (property)', () => {
  it('subtree = sum of own lines below; cost centres and totals add up to the roots’ subtrees', () => {
    const arb = fc.record({
      parents: fc.array(fc.nat(), { minLength: 1, maxLength: 25 }),
      rates: fc.array(fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }), {
        minLength: 25,
        maxLength: 25,
      }),
      centres: fc.array(fc.option(fc.constantFrom('A', 'B', 'C'), { nil: null }), {
        minLength: 25,
        maxLength: 25,
      }),
      seats: fc.array(
        fc.record({
          d: fc.nat(),
          status: fc.constantFrom('active', 'suspended', 'invited', 'deactivated'),
          n: fc.integer({ min: 1, max: 1000 }),
        }),
        { maxLength: 60 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ parents, rates, centres, seats: raw }) => {
        const ds: Dept[] = [];
        parents.forEach((p, i) => {
          // department i hangs under an earlier one (or is a root when p points past the end)
          const parent = i === 0 || p % (i + 1) === i ? null : ds[p % i]!;
          const d = dept(`d${i}`, parent, {
            rate: rates[i]! === null ? null : rates[i]! / 100,
            cc: centres[i]!,
          });
          ds.push(d);
        });
        const r = costRollup({
          departments: ds,
          seats: raw.map((s) => seat(`d${s.d % ds.length}`, s.status, s.n)),
        });
        const cents = (n: number) => Math.round(n * 100);
        const ownById = new Map(r.departments.map((l) => [l.department.id, l.own]));
        for (const l of r.departments) {
          const below = r.departments.filter((m) => m.department.path.startsWith(l.department.path));
          expect(cents(l.subtree.monthlyCost)).toBe(below.reduce((s, m) => s + cents(m.own.monthlyCost), 0));
          expect(l.subtree.billable).toBe(below.reduce((s, m) => s + m.own.billable, 0));
          expect(l.own.billable).toBe(l.own.active + l.own.suspended);
          expect(ownById.get(l.department.id)).toBe(l.own);
        }
        const roots = r.departments.filter((l) => l.namePath.length === 1);
        const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
        expect(cents(r.totals.monthlyCost)).toBe(sum(roots.map((l) => cents(l.subtree.monthlyCost))));
        expect(cents(r.totals.monthlyCost)).toBe(sum(r.costCentres.map((c) => cents(c.figures.monthlyCost))));
        expect(r.totals.invited).toBe(sum(r.costCentres.map((c) => c.figures.invited)));
      }),
      { numRuns: 200 },
    );
  });
});
