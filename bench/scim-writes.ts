// SCIM writes at full size (issue 13, "Performance"): creates (POST /Users) and updates (PATCH /Users/{id})
// from 10 concurrent clients over HTTP against a Roster server in its own process, each write the domain
// command with its audit and outbox rows; and a group PATCH adding 10,000 members in one request, then one
// removing them. Baselines from the same run, in this process: the same domain commands (provisionUser,
// updateProvisionedUser, changeDepartmentMembers) at the same concurrency, so the ratio is what the SCIM
// edge (HTTP, token check, parsing, rate limit) costs. Targets: >= 200 writes/s with p99 <= 100 ms; the
// 10k-member PATCH <= 2 s.
import { randomUUID } from 'node:crypto';
import { authenticateScimToken } from '../src/domain/api-credentials/authenticate-scim-token.js';
import { createScimToken } from '../src/domain/api-credentials/create-scim-token.js';
import { changeDepartmentMembers } from '../src/domain/departments/change-department-members.js';
import { createDepartment } from '../src/domain/departments/create-department.js';
import type { CommandContext } from '../src/domain/shared/context.js';
import { provisionUser } from '../src/domain/users/provision-user.js';
import { updateProvisionedUser } from '../src/domain/users/update-provisioned-user.js';
import { actorFor, contextFor } from '../test/support/factories.js';
import { prepareDataset, type BenchTarget } from './dataset.js';
import { startServer } from './http.js';
import { concurrently, type Phase } from './phases.js';
import { ratio } from './stats.js';

export interface ScimWritesResult {
  target: string;
  users: number;
  concurrency: number;
  create: { http: Phase; domainCall: Phase; ratio: number | null };
  patch: { http: Phase; domainCall: Phase; ratio: number | null };
  groupPatch: {
    members: number;
    httpAddMs: number;
    httpRemoveMs: number;
    domainAddMs: number;
    domainRemoveMs: number;
    targetMs: number;
  };
  targets: { writesPerSecond: number; p99Ms: number; groupPatchMs: number };
}

const groupMembers = 10_000;

/** A phase step from a write that throws when it fails (phases.ts records the error). */
const written =
  (write: (w: number, i: number) => Promise<unknown>) =>
  async (w: number, i: number): Promise<null> => {
    await write(w, i);
    return null;
  };

export async function benchScimWrites(
  target: BenchTarget,
  users: number,
  seconds: number,
  concurrency: number,
  log: (line: string) => void,
): Promise<ScimWritesResult> {
  const ds = await prepareDataset(target, users);
  const { services } = ds.runtime;
  const { db } = services;
  const server = await startServer(target);
  const run = randomUUID().slice(0, 8);
  try {
    const owner = await db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', ds.ownerId)
      .executeTakeFirstOrThrow();
    const ownerCtx = contextFor(services, await actorFor(services, owner));
    const scopes: ('users' | 'groups')[] = ['users', 'groups'];
    const issued = await createScimToken(ownerCtx, {
      name: `bench writes ${run}`,
      scopes,
      maxRole: 'administrator',
    });
    const second = await createScimToken(ownerCtx, {
      name: `bench domain ${run}`,
      scopes,
      maxRole: 'administrator',
    });
    const actor = await authenticateScimToken(services, `Bearer ${second.secret}`, {});
    const ctx: CommandContext = { ...services, actor, meta: {} };
    const base = server.url.replace(/\/graphql$/, '/scim/v2');
    const scim = async (method: string, path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status >= 300) throw new Error(`SCIM ${method} ${path} ${r.status}: ${text.slice(0, 200)}`);
      return text;
    };
    const userBody = (who: string) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${who}@scim-bench.test`,
      externalId: who,
      name: { givenName: 'Bench', familyName: who },
      emails: [{ value: `${who}@scim-bench.test`, type: 'work', primary: true }],
      active: true,
    });

    log(`scim writes: POST /Users, ${concurrency} clients over HTTP...`);
    const createHttp = await concurrently(
      concurrency,
      seconds,
      written((w, i) => scim('POST', '/Users', userBody(`h-${run}-${w}-${i}`))),
    );
    log(`scim writes: provisionUser in process, ${concurrency} at once...`);
    const createDomain = await concurrently(
      concurrency,
      seconds,
      written((w, i) => {
        const who = `d-${run}-${w}-${i}`;
        return provisionUser(ctx, {
          email: `${who}@scim-bench.test`,
          displayName: `Bench ${who}`,
          externalId: who,
          active: true,
        });
      }),
    );

    // Updates of seeded people (viewers), a different one each time.
    const targets = (
      await db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', ds.orgId)
        .where('role', '=', 'viewer')
        .where('status', '=', 'active')
        .orderBy('id')
        .limit(40_000)
        .execute()
    ).map((r) => r.id);
    const half = Math.floor(targets.length / 2);
    log(`scim writes: PATCH /Users/{id} (title), ${concurrency} clients over HTTP...`);
    const patchHttp = await concurrently(
      concurrency,
      seconds,
      written((w, i) =>
        scim('PATCH', `/Users/${targets[(i * concurrency + w) % half]!}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: `Analyst ${run} ${i}` }],
        }),
      ),
    );
    log(`scim writes: updateProvisionedUser in process, ${concurrency} at once...`);
    const patchDomain = await concurrently(
      concurrency,
      seconds,
      written((w, i) =>
        updateProvisionedUser(ctx, {
          userId: targets[half + ((i * concurrency + w) % half)]!,
          jobTitle: `Analyst ${run} ${i}`,
        }),
      ),
    );

    log(`scim writes: a group PATCH of ${groupMembers.toLocaleString('en')} members...`);
    const people = targets.slice(0, groupMembers);
    const others = targets.slice(groupMembers, groupMembers * 2);
    const group = JSON.parse(
      await scim('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: `Bench group ${run}`,
      }),
    ) as { id: string };
    const patchOf = (op: string, ids: string[]) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op, path: 'members', value: ids.map((value) => ({ value })) }],
    });
    const timed = async (f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      return Math.round(performance.now() - t0);
    };
    const httpAddMs = await timed(() => scim('PATCH', `/Groups/${group.id}`, patchOf('add', people)));
    const httpRemoveMs = await timed(() => scim('PATCH', `/Groups/${group.id}`, patchOf('remove', people)));
    const dept = await createDepartment(ctx, { name: `Bench group domain ${run}` });
    const domainAddMs = await timed(() =>
      changeDepartmentMembers(ctx, { departmentId: dept.id, add: others }),
    );
    const domainRemoveMs = await timed(() =>
      changeDepartmentMembers(ctx, { departmentId: dept.id, remove: others }),
    );
    const result: ScimWritesResult = {
      target: target.kind,
      users: ds.users,
      concurrency,
      create: {
        http: createHttp,
        domainCall: createDomain,
        ratio: ratio(createHttp.requestsPerSecond, createDomain.requestsPerSecond),
      },
      patch: {
        http: patchHttp,
        domainCall: patchDomain,
        ratio: ratio(patchHttp.requestsPerSecond, patchDomain.requestsPerSecond),
      },
      groupPatch: {
        members: groupMembers,
        httpAddMs,
        httpRemoveMs,
        domainAddMs,
        domainRemoveMs,
        targetMs: 2000,
      },
      targets: { writesPerSecond: 200, p99Ms: 100, groupPatchMs: 2000 },
    };
    log(`scim writes: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.stop();
    await ds.runtime.close();
  }
}
