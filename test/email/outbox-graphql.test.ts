import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../src/api/graphql/context.js';
import { graphqlSchema } from '../../src/api/graphql/schema.js';
import type { Services } from '../../src/domain/shared/context.js';
import { withTransaction } from '../../src/db/transaction.js';
import { deliverDueMessages } from '../../src/domain/notifications/deliver-outbox.js';
import { enqueueEmails } from '../../src/domain/notifications/outbox.js';
import type { Actor } from '../../src/domain/shared/context.js';
import { createDevelopmentTransport, firstLinkOf } from '../../src/email/development-transport.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const { graphql } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function run(
  actor: Actor | null,
  source: string,
  variableValues?: Record<string, unknown>,
  services?: Services,
) {
  const contextValue: GraphQLContext = {
    services: services ?? rt.services,
    actor,
    authFailure: null,
    enrolling: null,
    meta: { requestId: 'req-outbox', ip: '127.0.0.1', userAgent: 'vitest' },
    request: {} as GraphQLContext['request'],
    reply: {} as GraphQLContext['reply'],
  };
  const r = await graphql({ schema: graphqlSchema(), source, contextValue, variableValues });
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data: r.data as any,
    codes: (r.errors ?? []).map((e) => (e.originalError as { code?: string } | undefined)?.code ?? e.message),
  };
}

const listQuery = `query ($status: [OutboxStatus!], $first: Int, $after: String) {
  outboxMessages(status: $status, first: $first, after: $after) {
    edges { cursor node { id kind recipientEmail subject status attempts nextAttemptAt lastError createdAt sentAt messageId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const retryMutation = `mutation ($id: ID!) {
  retryOutboxMessage(input: { id: $id }) { message { id status attempts } userErrors { code } }
}`;
const mailboxQuery = `query { devMailbox(first: 10) { messageId recipient subject text html receivedAt } }`;

/** An organisation with an owner (security:manage), a viewer, and one message to each plus one more. */
async function seed() {
  const s = rt.services;
  const org = await createOrg(s);
  const owner = await createUser(s, org.id, { role: 'owner' });
  const viewer = await createUser(s, org.id, { role: 'viewer', email: `Viewer-${org.slug}@Example.test` });
  const to = [owner.email, viewer.email, `someone-${org.slug}@example.test`];
  const ids = await withTransaction(s.db, ({ trx }) =>
    enqueueEmails(
      trx,
      rt.config.publicUrl,
      to.map((email, i) => ({
        orgId: org.id,
        dedupeKey: `gql:${i}`,
        kind: 'test.notice',
        recipientUserId: null,
        recipientEmail: email.toLowerCase(),
        subject: `Subject ${i}`,
        text: `Body ${i}: https://roster.test/invitations/accept#tok${i} and https://roster.test/other`,
        html: `<p>Body ${i}</p>`,
      })),
    ),
  );
  rt.clock.set(new Date(Math.max(rt.clock.now().getTime(), Date.now()) + 1000));
  return {
    org,
    owner,
    viewer,
    ids,
    ownerActor: await actorFor(s, owner),
    viewerActor: await actorFor(s, viewer),
  };
}

describe('GraphQL outbox and development mailbox', () => {
  it('lists the outbox by pages for security:manage and refuses a viewer', async () => {
    const { ids, ownerActor, viewerActor } = await seed();
    const p1 = await run(ownerActor, listQuery, { first: 2 });
    expect(p1.codes).toEqual([]);
    expect(p1.data.outboxMessages.edges).toHaveLength(2);
    expect(p1.data.outboxMessages.pageInfo.hasNextPage).toBe(true);
    const p2 = await run(ownerActor, listQuery, {
      first: 2,
      after: p1.data.outboxMessages.pageInfo.endCursor,
    });
    expect(p2.data.outboxMessages.edges).toHaveLength(1);
    expect(p2.data.outboxMessages.pageInfo.hasNextPage).toBe(false);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const nodes = [...p1.data.outboxMessages.edges, ...p2.data.outboxMessages.edges].map((e: any) => e.node);
    expect(nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    expect(nodes[0]).toMatchObject({ kind: 'test.notice', status: 'QUEUED', attempts: 0, sentAt: null });
    expect(nodes[0].messageId).toMatch(/^<[0-9a-f-]{36}@roster\.test>$/);

    const none = await run(ownerActor, listQuery, { status: ['DEAD'] });
    expect(none.data.outboxMessages.edges).toEqual([]);
    expect((await run(viewerActor, listQuery)).codes).toEqual(['FORBIDDEN']);
    expect((await run(ownerActor, listQuery, { after: 'bm90LWEtY3Vyc29y' })).codes).toEqual([
      'VALIDATION_FAILED',
    ]);
  });

  it('retries only failed or dead messages, audits it, and refuses a viewer and other organisations', async () => {
    const { org, ids, ownerActor, viewerActor } = await seed();
    const [dead, queued] = ids as [string, string];
    await rt.services.db
      .updateTable('outbox_messages')
      .set({ status: 'dead', attempts: 8, last_error: 'SMTP 550 no' })
      .where('id', '=', dead)
      .execute();

    const forbidden = await run(viewerActor, retryMutation, { id: dead });
    expect(forbidden.data.retryOutboxMessage.userErrors).toEqual([{ code: 'FORBIDDEN' }]);
    const notRetryable = await run(ownerActor, retryMutation, { id: queued });
    expect(notRetryable.data.retryOutboxMessage.userErrors).toEqual([{ code: 'INVALID_TRANSITION' }]);
    const other = await seed();
    const foreign = await run(ownerActor, retryMutation, { id: other.ids[0] });
    expect(foreign.data.retryOutboxMessage.userErrors).toEqual([{ code: 'NOT_FOUND' }]);

    const ok = await run(ownerActor, retryMutation, { id: dead });
    expect(ok.codes).toEqual([]);
    expect(ok.data.retryOutboxMessage).toEqual({
      message: { id: dead, status: 'QUEUED', attempts: 0 },
      userErrors: [],
    });
    const audit = await rt.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'outbox.retried')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_type: 'outbox_message', target_id: dead });
  });

  it('keeps mail in the development mailbox: all of it for security:manage, own mail for others', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const transport = createDevelopmentTransport(rt.services.db, logger);
    const { org, viewer, ids, ownerActor, viewerActor } = await seed();
    await deliverDueMessages(rt.services, transport);
    const sent = await rt.services.db
      .selectFrom('outbox_messages')
      .select('status')
      .where('id', 'in', ids)
      .execute();
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    const rows = await rt.services.db
      .selectFrom('dev_mailbox')
      .selectAll()
      .where('org_id', '=', org.id)
      .execute();
    expect(rows).toHaveLength(3);

    // The same Message-ID again (a retry after a crash) is kept once.
    const m = rows[0]!;
    await transport.send({
      messageId: m.message_id,
      orgId: org.id,
      from: 'x@y',
      to: m.recipient,
      subject: m.subject,
      text: m.text_body,
      html: m.html_body,
    });
    expect(
      await rt.services.db.selectFrom('dev_mailbox').select('id').where('org_id', '=', org.id).execute(),
    ).toHaveLength(3);

    // The log names subject, recipient and the first link only.
    const logged = lines.filter((l) => l.msg === 'development mailbox: message kept');
    expect(logged.length).toBeGreaterThanOrEqual(3);
    expect(logged[0]).toMatchObject({ level: 30, subject: expect.any(String), to: expect.any(String) });
    expect(String(logged[0]!.link)).toMatch(/^https:\/\/roster\.test\/invitations\/accept#tok\d$/);
    expect(JSON.stringify(logged)).not.toContain('/other');

    const all = await run(ownerActor, mailboxQuery);
    expect(all.codes).toEqual([]);
    expect(all.data.devMailbox).toHaveLength(3);
    const own = await run(viewerActor, mailboxQuery);
    expect(own.data.devMailbox.map((x: { recipient: string }) => x.recipient)).toEqual([
      viewer.email.toLowerCase(),
    ]);
    expect((await run(null, mailboxQuery)).codes).toEqual(['UNAUTHENTICATED']);

    // With an SMTP server configured there is no development mailbox to read.
    const withSmtp = {
      ...rt.services,
      config: { ...rt.config, smtp: { ...rt.config.smtp, url: 'smtp://mail.example.test' } },
    };
    expect((await run(ownerActor, mailboxQuery, undefined, withSmtp)).data.devMailbox).toEqual([]);
  });

  it('finds the first link of a body', () => {
    expect(firstLinkOf('Go to https://a.test/x#t1 or http://b.test')).toBe('https://a.test/x#t1');
    expect(firstLinkOf('no link')).toBeNull();
  });
});
