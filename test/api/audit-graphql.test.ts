import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../src/api/graphql/context.js';
import { graphqlSchema } from '../../src/api/graphql/schema.js';
import { withTransaction } from '../../src/db/transaction.js';
import { recordAuditEvents } from '../../src/domain/audit/record-audit-event.js';
import type { Actor } from '../../src/domain/shared/context.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// The schema is built by Pothos with graphql's CommonJS build; executing it needs the same build.
const { graphql } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** Runs a document against the schema as `actor`, the way the HTTP layer builds the context. */
async function run(actor: Actor | null, source: string, variableValues?: Record<string, unknown>) {
  const contextValue: GraphQLContext = {
    services: rt.services,
    actor,
    authFailure: null,
    enrolling: null,
    meta: { requestId: 'req-graphql', ip: '127.0.0.1', userAgent: 'vitest' },
    request: {} as GraphQLContext['request'],
    reply: {} as GraphQLContext['reply'],
  };
  const r = await graphql({ schema: graphqlSchema(), source, contextValue, variableValues });
  return {
    data: r.data as Record<string, never> | null | undefined,
    codes: (r.errors ?? []).map((e) => (e.originalError as { code?: string } | undefined)?.code ?? e.message),
  };
}

const page = `query ($filter: AuditEventFilter, $first: Int, $after: String, $order: AuditEventOrder) {
  auditEvents(filter: $filter, first: $first, after: $after, order: $order) {
    edges { cursor node { seq action actorType actorId actor { id } targetUser { id } targetType changes reason requestId hash prevHash } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function seed() {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const target = await createUser(s, org.id);
  const actor = await actorFor(s, admin);
  const system: Actor = { type: 'system', orgId: org.id, name: 'scim' };
  for (const [who, action] of [
    [actor, 'user.invited'],
    [actor, 'user.suspended'],
    [system, 'user.reactivated'],
  ] as const) {
    rt.clock.advance(1000);
    await withTransaction(s.db, (scope) =>
      recordAuditEvents(scope.trx, org.id, { actor: who, meta: { requestId: 'r1' }, now: rt.clock.now() }, [
        {
          action,
          targetType: 'user',
          targetId: target.id,
          changes: { status: { from: 'a', to: 'b' } },
          reason: 'why',
        },
      ]),
    );
  }
  return { org, admin, target, actor };
}

describe('GraphQL auditEvents and auditChainStatus', () => {
  it('pages through events with cursors and resolves actor and target users', async () => {
    const { admin, target, actor } = await seed();
    const first = await run(actor, page, { first: 2 });
    expect(first.codes).toEqual([]);
    const conn = first.data?.auditEvents as unknown as {
      edges: { cursor: string; node: Record<string, unknown> }[];
      pageInfo: Record<string, unknown>;
    };
    expect(conn.edges.map((e) => e.node.seq)).toEqual([3, 2]);
    expect(conn.edges[0]?.node).toMatchObject({
      action: 'user.reactivated',
      actorType: 'SCIM',
      actorId: null,
      actor: null,
      targetUser: { id: target.id },
      targetType: 'user',
      changes: { status: { from: 'a', to: 'b' } },
      reason: 'why',
      requestId: 'r1',
    });
    expect(conn.edges[1]?.node).toMatchObject({
      actorType: 'USER',
      actorId: admin.id,
      actor: { id: admin.id },
    });
    expect(conn.pageInfo).toEqual({ hasNextPage: true, endCursor: conn.edges[1]?.cursor });

    const next = await run(actor, page, { first: 2, after: conn.pageInfo.endCursor });
    const rest = next.data?.auditEvents as unknown as typeof conn;
    expect(rest.edges.map((e) => e.node.seq)).toEqual([1]);
    expect(rest.pageInfo).toEqual({ hasNextPage: false, endCursor: rest.edges[0]?.cursor });

    const filtered = await run(actor, page, {
      filter: { action: 'user.', actorId: admin.id },
      order: 'OLDEST_FIRST',
    });
    const f = filtered.data?.auditEvents as unknown as typeof conn;
    expect(f.edges.map((e) => e.node.action)).toEqual(['user.invited', 'user.suspended']);
  });

  it('refuses viewers without the permission and anonymous callers', async () => {
    const { org } = await seed();
    const viewer = await actorFor(rt.services, await createUser(rt.services, org.id, { role: 'viewer' }));
    expect((await run(viewer, page)).codes).toEqual(['FORBIDDEN']);
    expect((await run(viewer, '{ auditChainStatus { ok } }')).codes).toEqual(['FORBIDDEN']);
    expect((await run(null, page)).codes).toEqual(['UNAUTHENTICATED']);
    expect((await run(viewer, page, { first: 500 })).codes).toEqual(['FORBIDDEN']);
    const auditor = await actorFor(rt.services, await createUser(rt.services, org.id, { role: 'auditor' }));
    expect((await run(auditor, page, { first: 500 })).codes).toEqual(['VALIDATION_FAILED']);
    expect((await run(auditor, page, { after: 'bogus' })).codes).toEqual(['VALIDATION_FAILED']);
  });

  it('reports the chain status, and where it broke', async () => {
    const { org, actor } = await seed();
    const q = '{ auditChainStatus { ok checked problem firstBrokenSeq firstBrokenEventId verifiedAt } }';
    expect((await run(actor, q)).data?.auditChainStatus).toEqual({
      ok: true,
      checked: 3,
      problem: null,
      firstBrokenSeq: null,
      firstBrokenEventId: null,
      verifiedAt: rt.clock.now().toISOString(),
    });
    const victim = await rt.services.db
      .selectFrom('audit_events')
      .select('id')
      .where('org_id', '=', org.id)
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    await rt.services.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit_events set reason = 'edited' where org_id = ${org.id} and seq = 2`.execute(trx);
    });
    expect((await run(actor, q)).data?.auditChainStatus).toMatchObject({
      ok: false,
      checked: 1,
      problem: 'HASH_MISMATCH',
      firstBrokenSeq: 2,
      firstBrokenEventId: victim.id,
    });
  });
});
