import type { OutboxMessage } from '../../../domain/notifications/deliver-outbox.js';
import { listDevMailbox, type DevMailboxMessage } from '../../../domain/notifications/list-dev-mailbox.js';
import {
  encodeOutboxCursor,
  listOutboxMessages,
  type OutboxMessageListed,
} from '../../../domain/notifications/list-outbox-messages.js';
import { outboxStatuses, type OutboxStatus } from '../../../domain/notifications/outbox-status.js';
import { retryOutboxMessage } from '../../../domain/notifications/retry-outbox-message.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { PageInfoRef } from './page-info.js';
import { runMutation, UserError, type UserErrorShape } from './user-error.js';

const OutboxStatusEnum = builder.enumType('OutboxStatus', {
  description: 'Where an outgoing email is on its way out.',
  values: Object.fromEntries(outboxStatuses.map((s) => [s.toUpperCase(), { value: s }])) as unknown as Record<
    Uppercase<OutboxStatus>,
    { value: OutboxStatus }
  >,
});

const OutboxMessageRef = builder.objectRef<OutboxMessage>('OutboxMessage').implement({
  description:
    'An email of the outbox: queued in the transaction of the change that caused it, then delivered with ' +
    'retries. Delivery is at least once; a repeat after a crash carries the same `messageId`.',
  fields: (t) => ({
    id: t.id({ resolve: (m) => m.id }),
    kind: t.string({ resolve: (m) => m.kind }),
    recipientEmail: t.string({ resolve: (m) => m.recipient_email }),
    subject: t.string({ resolve: (m) => m.subject }),
    status: t.field({ type: OutboxStatusEnum, resolve: (m) => m.status as OutboxStatus }),
    attempts: t.int({
      description: 'Sends tried so far; given up (DEAD) after 8.',
      resolve: (m) => m.attempts,
    }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      description: 'When a QUEUED or FAILED message is tried (again).',
      resolve: (m) => m.next_attempt_at,
    }),
    lastError: t.string({
      nullable: true,
      description: 'Why the last try failed: the mail server’s reply or the connection problem.',
      resolve: (m) => m.last_error,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.created_at }),
    sentAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.sent_at }),
    messageId: t.string({
      description: 'The Message-ID header, the same on every try.',
      resolve: (m) => m.message_id,
    }),
  }),
});

const OutboxMessageEdgeRef = builder.objectRef<OutboxMessageListed>('OutboxMessageEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (m) => encodeOutboxCursor(m) }),
    node: t.field({ type: OutboxMessageRef, resolve: (m) => m }),
  }),
});

const OutboxMessageConnectionRef = builder
  .objectRef<{ messages: OutboxMessageListed[]; hasNextPage: boolean }>('OutboxMessageConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [OutboxMessageEdgeRef], resolve: (c) => c.messages }),
      pageInfo: t.field({
        type: PageInfoRef,
        resolve: (c) => {
          const last = c.messages[c.messages.length - 1];
          return { hasNextPage: c.hasNextPage, endCursor: last ? encodeOutboxCursor(last) : null };
        },
      }),
    }),
  });

const DevMailboxMessageRef = builder.objectRef<DevMailboxMessage>('DevMailboxMessage').implement({
  description: 'An email kept by the development mailbox instead of being sent (no SMTP server configured).',
  fields: (t) => ({
    id: t.id({ resolve: (m) => m.id }),
    messageId: t.string({ resolve: (m) => m.message_id }),
    recipient: t.string({ resolve: (m) => m.recipient }),
    subject: t.string({ resolve: (m) => m.subject }),
    text: t.string({ resolve: (m) => m.text_body }),
    html: t.string({ resolve: (m) => m.html_body }),
    receivedAt: t.field({ type: 'DateTime', resolve: (m) => m.received_at }),
  }),
});

builder.queryFields((t) => ({
  outboxMessages: t.field({
    type: OutboxMessageConnectionRef,
    description:
      'The organisation’s outgoing email and its delivery state, newest first. Requires `security:manage`.',
    args: {
      status: t.arg({ type: [OutboxStatusEnum], description: 'Only these states; all when absent.' }),
      first: t.arg.int({ description: '1 to 200; 50 when absent.' }),
      after: t.arg.string(),
    },
    resolve: (_r, args, ctx) =>
      listOutboxMessages(commandContext(ctx), {
        status: args.status ?? null,
        first: args.first ?? null,
        after: args.after ?? null,
      }),
  }),
  devMailbox: t.field({
    type: [DevMailboxMessageRef],
    description:
      'Mail kept by the development mailbox, newest first; empty when SMTP is configured. Holders of ' +
      '`security:manage` see the organisation’s, everyone else the messages addressed to them.',
    args: { first: t.arg.int({ description: '1 to 200; 50 when absent.' }) },
    resolve: (_r, args, ctx) => listDevMailbox(commandContext(ctx), { first: args.first ?? null }),
  }),
}));

const RetryOutboxMessageInput = builder.inputType('RetryOutboxMessageInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const OutboxMessagePayload = builder
  .objectRef<{ message?: OutboxMessage; userErrors: UserErrorShape[] }>('OutboxMessagePayload')
  .implement({
    fields: (t) => ({
      message: t.field({ type: OutboxMessageRef, nullable: true, resolve: (p) => p.message ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField('retryOutboxMessage', (t) =>
  t.field({
    type: OutboxMessagePayload,
    description:
      'Queue a FAILED or DEAD message again, due now, with a fresh count of attempts. Needs `security:manage`.',
    args: { input: t.arg({ type: RetryOutboxMessageInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        message: await retryOutboxMessage(commandContext(ctx), { id: String(input.id) }),
      })),
  }),
);
