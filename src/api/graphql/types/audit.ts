import type { AuditEventRow, UserRow } from '../../../db/schema.js';
import { auditActions } from '../../../domain/audit/audit-actions.js';
import { encodeAuditCursor } from '../../../domain/audit/audit-event-query.js';
import { getAuditChainStatus, type AuditChainStatus } from '../../../domain/audit/get-audit-chain-status.js';
import {
  auditEventOrders,
  listAuditEvents,
  usersOfAuditEvents,
  type AuditEventOrder,
} from '../../../domain/audit/list-audit-events.js';
import type { AuditChainProblem } from '../../../domain/audit/verify-audit-chain.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { PageInfoRef } from './page-info.js';
import { UserRef } from './user.js';

/** An event with a loader of the users its page names, fetched once for the whole page and only if asked. */
interface AuditEventNode {
  row: AuditEventRow;
  users: () => Promise<ReadonlyMap<string, UserRow>>;
}

interface AuditEventConnectionShape {
  nodes: AuditEventNode[];
  hasNextPage: boolean;
}

const actorTypes = ['user', 'system', 'scim', 'cli', 'api_credential', 'personal_token'] as const;

const AuditActorTypeEnum = builder.enumType('AuditActorType', {
  description:
    'Who acted: a signed-in user, the system (scheduled work), the SCIM endpoint, the CLI, a SCIM token (API_CREDENTIAL, actorId its id) or a personal API token (PERSONAL_TOKEN, actorId its owner).',
  values: Object.fromEntries(actorTypes.map((a) => [a.toUpperCase(), { value: a }])) as unknown as Record<
    Uppercase<(typeof actorTypes)[number]>,
    { value: (typeof actorTypes)[number] }
  >,
});

const AuditEventOrderEnum = builder.enumType('AuditEventOrder', {
  description: 'The order of the audit trail by sequence number.',
  values: Object.fromEntries(auditEventOrders.map((o) => [o, { value: o }])) as unknown as Record<
    AuditEventOrder,
    { value: AuditEventOrder }
  >,
});

const AuditChainProblemEnum = builder.enumType('AuditChainProblem', {
  description: 'How the audit chain is broken.',
  values: {
    HASH_MISMATCH: {
      value: 'hash_mismatch',
      description: 'An event no longer matches its hash: it was changed.',
    },
    LINK_BROKEN: {
      value: 'link_broken',
      description: 'An event does not link to the hash of the one before it.',
    },
    SEQUENCE_GAP: { value: 'sequence_gap', description: 'An event is missing from the sequence.' },
    HEAD_MISMATCH: { value: 'head_mismatch', description: 'The chain head does not name the last event.' },
  } satisfies Record<Uppercase<AuditChainProblem>, { value: AuditChainProblem; description: string }>,
});

const AuditEventRef = builder.objectRef<AuditEventNode>('AuditEvent').implement({
  description: 'One entry of the organisation’s append-only, hash-chained audit trail.',
  fields: (t) => ({
    id: t.id({ resolve: (n) => n.row.id }),
    seq: t.int({
      description: 'Position in the organisation’s chain: 1, 2, 3… without gaps.',
      resolve: (n) => n.row.seq,
    }),
    occurredAt: t.field({ type: 'DateTime', resolve: (n) => n.row.occurred_at }),
    actorType: t.field({
      type: AuditActorTypeEnum,
      resolve: (n) => n.row.actor_type as (typeof actorTypes)[number],
    }),
    actorId: t.id({ nullable: true, resolve: (n) => n.row.actor_id }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user who acted; null for system actors or when the viewer may not read users.',
      resolve: async (n) => (n.row.actor_id ? ((await n.users()).get(n.row.actor_id) ?? null) : null),
    }),
    action: t.string({
      description: 'What happened, such as `user.suspended`.',
      resolve: (n) => n.row.action,
    }),
    targetType: t.string({ nullable: true, resolve: (n) => n.row.target_type }),
    targetId: t.id({ nullable: true, resolve: (n) => n.row.target_id }),
    targetUser: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user acted upon, when the target is a user the viewer may read.',
      resolve: async (n) =>
        n.row.target_type === 'user' && n.row.target_id
          ? ((await n.users()).get(n.row.target_id) ?? null)
          : null,
    }),
    changes: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Before and after of the changed fields: `{ field: { from, to } }`.',
      resolve: (n) => n.row.changes,
    }),
    reason: t.string({ nullable: true, resolve: (n) => n.row.reason }),
    requestId: t.string({ nullable: true, resolve: (n) => n.row.request_id }),
    ip: t.string({ nullable: true, resolve: (n) => n.row.ip }),
    userAgent: t.string({ nullable: true, resolve: (n) => n.row.user_agent }),
    hash: t.string({ resolve: (n) => n.row.hash }),
    prevHash: t.string({ resolve: (n) => n.row.prev_hash }),
  }),
});

const AuditEventEdgeRef = builder.objectRef<AuditEventNode>('AuditEventEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (n) => encodeAuditCursor(n.row.seq) }),
    node: t.field({ type: AuditEventRef, resolve: (n) => n }),
  }),
});

const AuditEventConnectionRef = builder
  .objectRef<AuditEventConnectionShape>('AuditEventConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [AuditEventEdgeRef], resolve: (c) => c.nodes }),
      pageInfo: t.field({
        type: PageInfoRef,
        resolve: (c) => {
          const last = c.nodes[c.nodes.length - 1];
          return { hasNextPage: c.hasNextPage, endCursor: last ? encodeAuditCursor(last.row.seq) : null };
        },
      }),
    }),
  });

const AuditEventFilterInput = builder.inputType('AuditEventFilter', {
  fields: (t) => ({
    actorId: t.id(),
    targetId: t.id(),
    action: t.string({ description: 'An action (`user.suspended`), or a prefix ending in a dot (`user.`).' }),
    occurredAfter: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    occurredBefore: t.field({ type: 'DateTime', description: 'Exclusive.' }),
  }),
});

const AuditChainStatusRef = builder.objectRef<AuditChainStatus>('AuditChainStatus').implement({
  description: 'Whether the organisation’s audit trail is intact: every event unchanged, none missing.',
  fields: (t) => ({
    ok: t.boolean({ resolve: (s) => s.ok }),
    checked: t.int({
      description: 'Events verified intact (before the break, if any).',
      resolve: (s) => s.checked,
    }),
    problem: t.field({
      type: AuditChainProblemEnum,
      nullable: true,
      resolve: (s) => (s.ok ? null : s.problem),
    }),
    firstBrokenSeq: t.int({ nullable: true, resolve: (s) => (s.ok ? null : s.firstBrokenSeq) }),
    firstBrokenEventId: t.id({
      nullable: true,
      description: 'The event at `firstBrokenSeq`; null when that event is missing.',
      resolve: (s) => (s.ok ? null : s.firstBrokenEventId),
    }),
    verifiedAt: t.field({ type: 'DateTime', resolve: (s) => s.verifiedAt }),
  }),
});

builder.queryFields((t) => ({
  auditActions: t.stringList({
    description: 'Every action the audit trail records (`user.suspended`, …), for filters.',
    resolve: (_r, _a, ctx) => {
      commandContext(ctx); // signed-in only
      return [...auditActions];
    },
  }),
  auditEvents: t.field({
    type: AuditEventConnectionRef,
    description:
      'The organisation’s audit trail, newest first unless asked otherwise. Requires `audit:read`.',
    args: {
      filter: t.arg({ type: AuditEventFilterInput }),
      first: t.arg.int({ description: '1 to 200; 50 when absent.' }),
      after: t.arg.string(),
      order: t.arg({ type: AuditEventOrderEnum }),
    },
    resolve: async (_r, args, ctx) => {
      const c = commandContext(ctx);
      const f = args.filter;
      const page = await listAuditEvents(c, {
        filter: f
          ? {
              actorId: f.actorId == null ? null : String(f.actorId),
              targetId: f.targetId == null ? null : String(f.targetId),
              action: f.action ?? null,
              occurredAfter: f.occurredAfter ?? null,
              occurredBefore: f.occurredBefore ?? null,
            }
          : null,
        first: args.first ?? null,
        after: args.after ?? null,
        order: args.order ?? null,
      });
      let users: Promise<ReadonlyMap<string, UserRow>> | undefined;
      const loadUsers = () => (users ??= usersOfAuditEvents(c, page.events));
      return {
        nodes: page.events.map((row) => ({ row, users: loadUsers })),
        hasNextPage: page.hasNextPage,
      };
    },
  }),
  auditChainStatus: t.field({
    type: AuditChainStatusRef,
    description: 'Verifies the audit chain now (reads every event). Requires `audit:verify`.',
    resolve: (_r, _a, ctx) => getAuditChainStatus(commandContext(ctx)),
  }),
}));
