// The departments benchmark (issue 3): 5,000 departments over the users dataset. Three parts, each against
// a baseline from the same run: subtree member listing (departments-listing.ts), the scoped authorization
// check (departments-authz.ts) and the cost report (departments-cost.ts). In-process measurements first,
// then the database is let go (the embedded one belongs to one process) and a server is started for HTTP.
import { randomUUID } from 'node:crypto';
import type { CommandContext } from '../src/domain/shared/context.js';
import { benchOwner, prepareDataset, type BenchTarget, type Dataset } from './dataset.js';
import {
  costCases,
  costInProcess,
  costOverHttp,
  type CostInProcess,
  type CostOverHttp,
} from './departments-cost.js';
import {
  authzInProcess,
  authzOverHttp,
  type AuthzInProcess,
  type AuthzOverHttp,
} from './departments-authz.js';
import { prepareDepartments, type ActorKey, type DepartmentsDataset } from './departments-dataset.js';
import {
  listingBaselines,
  listingOverHttp,
  listingScenarios,
  type ListingResult,
} from './departments-listing.js';
import { signIn, startServer } from './http.js';
import type { BenchOptions } from './users-list.js';

export interface DepartmentsResult {
  kind: BenchTarget['kind'];
  users: number;
  departments: number;
  seededUsers: Dataset['seeded'];
  seededDepartments: DepartmentsDataset['seeded'];
  picks: Record<string, { code: string; depth: number; members: number }>;
  /** Null when the part was not run (`BENCH_DEPARTMENTS_PARTS`). */
  listing: ListingResult[] | null;
  authz: { inProcess: AuthzInProcess; http: AuthzOverHttp } | null;
  cost: { inProcess: CostInProcess[]; http: CostOverHttp[] } | null;
}

export type DepartmentsPart = 'listing' | 'authz' | 'cost';
export const departmentsParts: readonly DepartmentsPart[] = ['listing', 'authz', 'cost'];

function ownerCtx(dataset: Dataset): CommandContext {
  return {
    ...dataset.runtime.services,
    actor: {
      type: 'user',
      userId: dataset.ownerId,
      orgId: dataset.orgId,
      role: 'owner',
      sessionId: randomUUID(),
    },
    meta: {},
  };
}

export async function benchDepartments(
  target: BenchTarget,
  users: number,
  o: BenchOptions,
  log: (line: string) => void,
  parts: ReadonlySet<DepartmentsPart> = new Set(departmentsParts),
): Promise<DepartmentsResult> {
  const say = (line: string) => log(`[${target.kind} departments] ${line}`);
  say(`preparing ${users} users...`);
  const dataset = await prepareDataset(target, users);
  if (dataset.seeded) say(`seeded ${dataset.seeded.inserted} users in ${dataset.seeded.milliseconds} ms`);
  say('preparing 5,000 departments, placements, history and managers...');
  const depts = await prepareDepartments(dataset);
  if (depts.seeded) say(`seeded departments: ${JSON.stringify(depts.seeded)}`);
  else say(`reusing ${depts.departments} departments already placed`);
  const picks = Object.fromEntries(
    Object.entries(depts.picks).map(([k, d]) => [k, { code: d.code, depth: d.depth, members: d.members }]),
  );
  say(`picked: ${JSON.stringify(picks)}`);

  const ctx = ownerCtx(dataset);
  const list = parts.has('listing') ? await listingScenarios(dataset, depts) : [];
  const baselines = parts.has('listing') ? await listingBaselines(ctx, list, o, say) : null;
  const authzLocal = parts.has('authz') ? await authzInProcess(dataset, depts, o.baselineSeconds, say) : null;
  const cases = costCases(dataset.runtime.services.clock.now());
  const costLocal = parts.has('cost') ? await costInProcess(ctx, cases, o.baselineSeconds, say) : null;
  await dataset.runtime.close();

  const server = await startServer(target);
  try {
    const owner = await signIn(server.url, benchOwner);
    const tokens = {} as Record<ActorKey, string>;
    for (const k of Object.keys(depts.actors) as ActorKey[])
      tokens[k] = await signIn(server.url, depts.actors[k]);
    const listing = baselines ? await listingOverHttp(server.url, owner, list, baselines, o, say) : null;
    // Three times the usual duration: the differences sought are fractions of a millisecond.
    const authzHttp = authzLocal ? await authzOverHttp(server.url, tokens, depts, 3 * o.duration, say) : null;
    const costHttp = costLocal ? await costOverHttp(server.url, owner, cases, o.duration, say) : null;
    return {
      kind: target.kind,
      users: dataset.users,
      departments: depts.departments,
      seededUsers: dataset.seeded,
      seededDepartments: depts.seeded,
      picks,
      listing,
      authz: authzLocal && authzHttp ? { inProcess: authzLocal, http: authzHttp } : null,
      cost: costLocal && costHttp ? { inProcess: costLocal, http: costHttp } : null,
    };
  } finally {
    await server.stop();
  }
}
