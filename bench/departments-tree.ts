// The shape of the benchmark's department tree, generated deterministically (same seed, same tree, same
// ids): one root, 10 directorates, 50 divisions, 500 units and 4,439 teams = 5,000 departments. Each
// department carries the share of users whose PRIMARY department it is: 97% sit in teams, the rest
// directly in units, divisions and directorates. Sizes are skewed (log-normal), and one division is made to
// hold about 7% of the organisation, so the benchmark has a mid-level subtree of that size. Pure.
import { seededRandom } from '../src/domain/users/seed-data.js';

export type Level = 'root' | 'directorate' | 'division' | 'unit' | 'team';

export interface DepartmentSpec {
  id: string;
  parentId: string | null;
  path: string;
  depth: number;
  level: Level;
  name: string;
  code: string;
  costCentre: string;
  /** Monthly cost per seat; null inherits from the parent (the root always has one). */
  rate: number | null;
  /** Share of all users whose primary department this is (sums to 1 over the tree). */
  share: number;
}

export const treeShape = { directorates: 10, divisions: 50, units: 500, teams: 4_439 } as const;
/** Share of the organisation in the division the "mid-level" scenario lists. */
export const bigDivisionShare = 0.07;
/** Share of users placed directly in a department of each level (the rest, 97%, in teams). */
const directShare = { root: 0.0001, directorate: 0.0009, division: 0.004, unit: 0.025 } as const;

/** A v4-shaped uuid from the generator, so the same seed gives the same ids. */
function uuidFrom(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rng() * 4)] as string;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A log-normal weight (median 1). */
function skewed(rng: () => number, sigma: number): number {
  const u = Math.max(1e-12, rng());
  const v = rng();
  return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** Splits `total` items over `weights.length` parts in proportion to the weights, at least `min` each. */
function apportion(total: number, weights: number[], min = 1): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const spare = total - min * weights.length;
  const exact = weights.map((w) => (w / sum) * spare);
  const counts = exact.map((e) => min + Math.floor(e));
  let left = total - counts.reduce((s, c) => s + c, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

const normalise = (ws: number[]) => {
  const sum = ws.reduce((s, w) => s + w, 0);
  return ws.map((w) => w / sum);
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const money = (v: number) => Math.round(v * 100) / 100;

export function generateTree(seed = 20261127): DepartmentSpec[] {
  const rng = seededRandom(seed);
  const out: DepartmentSpec[] = [];
  const add = (
    parent: DepartmentSpec | null,
    fields: Omit<DepartmentSpec, 'id' | 'parentId' | 'path' | 'depth'>,
  ) => {
    const id = uuidFrom(rng);
    const spec: DepartmentSpec = {
      id,
      parentId: parent?.id ?? null,
      path: `${parent?.path ?? ''}${id}/`,
      depth: parent ? parent.depth + 1 : 0,
      ...fields,
    };
    out.push(spec);
    return spec;
  };

  // Division shares of the organisation: the first is the big one, the others log-normal.
  const otherDivisions = normalise(
    Array.from({ length: treeShape.divisions - 1 }, () => skewed(rng, 0.6)),
  ).map((s) => s * (1 - bigDivisionShare));
  const divisionShares = [bigDivisionShare, ...otherDivisions];
  const divisionsPerDirectorate = apportion(
    treeShape.divisions,
    Array.from({ length: treeShape.directorates }, () => skewed(rng, 0.3)),
    2,
  );
  // Bigger divisions have more units; bigger units more teams.
  const unitsPerDivision = apportion(treeShape.units, divisionShares, 3);
  const unitShares: number[] = [];
  unitsPerDivision.forEach((n, d) => {
    const within = normalise(Array.from({ length: n }, () => skewed(rng, 0.5)));
    for (const s of within) unitShares.push(s * (divisionShares[d] ?? 0));
  });
  const teamsPerUnit = apportion(treeShape.teams, unitShares, 2);

  const root = add(null, {
    level: 'root',
    name: 'Bench Organisation',
    code: 'ORG',
    costCentre: 'CC-000',
    rate: 50,
    share: directShare.root,
  });
  let division = 0;
  let unit = 0;
  let team = 0;
  for (let di = 0; di < treeShape.directorates; di++) {
    const divisionCount = divisionsPerDirectorate[di] ?? 0;
    const dirShare = divisionShares.slice(division, division + divisionCount).reduce((s, v) => s + v, 0);
    const directorate = add(root, {
      level: 'directorate',
      name: `Directorate ${pad(di + 1, 2)}`,
      code: `D${pad(di + 1, 2)}`,
      costCentre: `CC-D${pad(di + 1, 2)}`,
      rate: money(40 + rng() * 80),
      share: directShare.directorate * dirShare,
    });
    for (let vi = 0; vi < divisionCount; vi++, division++) {
      const divShare = divisionShares[division] ?? 0;
      const divisionCc = `${directorate.costCentre}-V${pad(division + 1, 2)}`;
      const div = add(directorate, {
        level: 'division',
        name: `Division ${pad(division + 1, 2)}`,
        code: `V${pad(division + 1, 2)}`,
        costCentre: divisionCc,
        rate: rng() < 0.3 ? money(30 + rng() * 100) : null,
        share: directShare.division * divShare,
      });
      for (let ui = 0; ui < (unitsPerDivision[division] ?? 0); ui++, unit++) {
        const uShare = unitShares[unit] ?? 0;
        const u = add(div, {
          level: 'unit',
          name: `Unit ${pad(unit + 1, 3)}`,
          code: `U${pad(unit + 1, 3)}`,
          costCentre: rng() < 0.1 ? `CC-U${pad(unit + 1, 3)}` : divisionCc,
          rate: rng() < 0.1 ? money(30 + rng() * 100) : null,
          share: directShare.unit * uShare,
        });
        const teamsHere = teamsPerUnit[unit] ?? 0;
        const teamShares = normalise(Array.from({ length: teamsHere }, () => skewed(rng, 0.7)));
        const inTeams =
          1 - directShare.root - directShare.directorate - directShare.division - directShare.unit;
        for (let ti = 0; ti < teamsHere; ti++, team++) {
          add(u, {
            level: 'team',
            name: `Team ${pad(team + 1, 4)}`,
            code: `T${pad(team + 1, 4)}`,
            costCentre: u.costCentre,
            rate: rng() < 0.05 ? money(30 + rng() * 100) : null,
            share: inTeams * uShare * (teamShares[ti] ?? 0),
          });
        }
      }
    }
  }
  return out;
}

/**
 * Hash buckets of the placement: department i owns buckets [lo[i], hi[i]) of `buckets`, in proportion to
 * its share (at least one each, so no department is empty). A user's bucket is a hash of its id.
 */
export function bucketRanges(
  tree: readonly DepartmentSpec[],
  buckets: number,
): { lo: number[]; hi: number[] } {
  const counts = apportion(
    buckets,
    tree.map((d) => d.share),
    1,
  );
  const lo: number[] = [];
  const hi: number[] = [];
  let at = 0;
  for (const c of counts) {
    lo.push(at);
    at += c;
    hi.push(at);
  }
  return { lo, hi };
}
