// SCIM reads at full size (issue 13, "Performance"): the look-ups an identity provider runs before every
// create (`userName eq`, `externalId eq`) and a 100-user page of a broad filter, over HTTP with a SCIM token
// against a Roster server in its own process (core 0), measured one request at a time and interleaved with
// two same-run baselines in this process (core 1): the same domain call (`listScimUsers`: the same Kysely
// SQL, page and count), and the bare SQL of the look-up alone. Targets: look-ups p99 <= 20 ms, the broad
// page p99 <= 100 ms. externalId is set (once) on 2,000 of the seeded users, who carry none.
import { sql } from 'kysely';
import { listScimUsers, type UserListRequest } from '../src/api/scim/users-query.js';
import { createScimToken } from '../src/domain/api-credentials/create-scim-token.js';
import type { CommandContext } from '../src/domain/shared/context.js';
import { actorFor, contextFor } from '../test/support/factories.js';
import { prepareDataset, type BenchTarget } from './dataset.js';
import { startServer } from './http.js';
import { interleaved, type LatencyStats } from './stats.js';

export interface ScimScenarioResult {
  name: string;
  http: LatencyStats;
  domainCall: LatencyStats;
  bareSql: LatencyStats | null;
  /** HTTP p99 over the domain call's p99, same run. */
  p99Ratio: number | null;
  targetP99Ms: number;
}

export interface ScimBenchResult {
  target: string;
  users: number;
  totalResultsOfBroadFilter: number;
  scenarios: ScimScenarioResult[];
}

const withExternalId = 2000;

export async function benchScim(
  target: BenchTarget,
  users: number,
  seconds: number,
  log: (line: string) => void,
): Promise<ScimBenchResult> {
  const ds = await prepareDataset(target, users);
  const { services } = ds.runtime;
  const { db } = services;
  const server = await startServer(target);
  try {
    await sql`update users set external_id = 'ext-' || id::text
      where id in (select id from users where org_id = ${ds.orgId} order by id limit ${withExternalId})
        and external_id is null`.execute(db);
    const sample = await db
      .selectFrom('users')
      .select(['email', 'external_id'])
      .where('org_id', '=', ds.orgId)
      .where('external_id', 'is not', null)
      .orderBy(sql`random()`)
      .limit(500)
      .execute();
    const owner = await db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', ds.ownerId)
      .executeTakeFirstOrThrow();
    const ownerCtx = contextFor(services, await actorFor(services, owner));
    const issued = await createScimToken(ownerCtx, { name: 'bench', scopes: ['users'], maxRole: 'owner' });
    const scimActor = {
      type: 'api_credential' as const,
      credentialId: issued.token.id,
      orgId: ds.orgId,
      scopes: ['users'],
      maxRole: 'owner' as const,
      permissions: new Set(['users:read' as const]),
    };
    const ctx: CommandContext = { ...services, actor: scimActor, meta: {} };
    const base = server.url.replace(/\/graphql$/, '/scim/v2');
    let i = 0;
    const next = () => sample[i++ % sample.length]!;
    const httpGet = async (query: string) => {
      const r = await fetch(`${base}/Users?${query}`, {
        headers: { authorization: `Bearer ${issued.secret}` },
      });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`SCIM ${r.status}: ${body.slice(0, 300)}`);
      return body;
    };
    const request = (filter: string, count: number): UserListRequest => ({
      filter,
      startIndex: 1,
      count,
      sortBy: null,
      sortOrder: 'ascending',
    });

    const scenarios: {
      name: string;
      filter: () => string;
      count: number;
      bare: (() => Promise<unknown>) | null;
      target: number;
    }[] = [
      {
        name: 'userName eq (look-up before create)',
        filter: () => `userName eq "${next().email}"`,
        count: 100,
        bare: () =>
          db
            .selectFrom('users')
            .selectAll()
            .where('org_id', '=', ds.orgId)
            .where('email_normalized', '=', next().email.toLowerCase())
            .execute(),
        target: 20,
      },
      {
        name: 'externalId eq',
        filter: () => `externalId eq "${next().external_id}"`,
        count: 100,
        bare: () =>
          db
            .selectFrom('users')
            .selectAll()
            .where('org_id', '=', ds.orgId)
            .where('external_id', '=', next().external_id)
            .execute(),
        target: 20,
      },
      {
        name: 'broad filter, first 100 (active eq true), with totalResults',
        filter: () => 'active eq true',
        count: 100,
        bare: null,
        target: 100,
      },
    ];
    const results: ScimScenarioResult[] = [];
    for (const s of scenarios) {
      log(`scim: ${s.name}...`);
      const arms = [
        { name: 'http', calls: [() => httpGet(`filter=${encodeURIComponent(s.filter())}&count=${s.count}`)] },
        { name: 'domain', calls: [() => listScimUsers(ctx, request(s.filter(), s.count))] },
        ...(s.bare ? [{ name: 'bare', calls: [s.bare] }] : []),
        // Keeps the token under its rate limit (250/s): one at a time, a quiet machine goes faster.
        { name: 'pause', calls: [() => new Promise((resolve) => setTimeout(resolve, 5))] },
      ];
      const r = await interleaved(arms, seconds, 20);
      const http = r.http!;
      const domainCall = r.domain!;
      const row: ScimScenarioResult = {
        name: s.name,
        http,
        domainCall,
        bareSql: r.bare ?? null,
        p99Ratio: domainCall.p99Ms > 0 ? Math.round((http.p99Ms / domainCall.p99Ms) * 100) / 100 : null,
        targetP99Ms: s.target,
      };
      log(`scim: ${JSON.stringify(row)}`);
      results.push(row);
    }
    const broad = await listScimUsers(ctx, request('active eq true', 0));
    return {
      target: target.kind,
      users: ds.users,
      totalResultsOfBroadFilter: broad.totalResults,
      scenarios: results,
    };
  } finally {
    await server.stop();
    await ds.runtime.close();
  }
}
