import { acceptInvitationAndSignIn } from '../../../domain/invitations/accept-invitation.js';
import { previewInvitation, type InvitationPreview } from '../../../domain/invitations/invitation-preview.js';
import { invitationStatuses, timeToAcceptSeconds } from '../../../domain/invitations/invitation-rules.js';
import type { InvitationStatus } from '../../../domain/invitations/invitation-rules.js';
import {
  latestInvitationsOf,
  listInvitations,
  type InvitationView,
} from '../../../domain/invitations/list-invitations.js';
import { resendInvitation } from '../../../domain/invitations/resend-invitation.js';
import { revokeInvitation } from '../../../domain/invitations/revoke-invitation.js';
import { inviteUsers, type IssuedInvitation } from '../../../domain/users/invite-users.js';
import type { RoleKey } from '../../../authz/roles.js';
import DataLoader from 'dataloader';
import type { UserRow } from '../../../db/schema.js';
import { builder } from '../builder.js';
import { commandContext, type GraphQLContext } from '../context.js';
import { RoleKeyEnum } from './enums.js';
import { PageInfoRef } from './page-info.js';
import { SessionTokensPayload } from './session.js';
import { UserRef } from './user.js';
import { UserError, runMutation } from './user-error.js';

export const InvitationStatusEnum = builder.enumType('InvitationStatus', {
  description: 'Where an invitation is. PENDING means usable now; a pending link past its time is EXPIRED.',
  values: Object.fromEntries(
    invitationStatuses.map((s) => [s.toUpperCase(), { value: s }]),
  ) as unknown as Record<Uppercase<InvitationStatus>, { value: InvitationStatus }>,
});

export const InvitationRef = builder.objectRef<InvitationView>('Invitation').implement({
  description: 'An invitation to join the organisation. The link itself is shown only when issued.',
  fields: (t) => ({
    id: t.id({ resolve: (v) => v.invitation.id }),
    user: t.field({ type: UserRef, description: 'The invitee.', resolve: (v) => v.user }),
    role: t.field({
      type: RoleKeyEnum,
      description: 'The role the link grants.',
      resolve: (v) => v.invitation.role as RoleKey,
    }),
    message: t.string({ nullable: true, resolve: (v) => v.invitation.message }),
    status: t.field({ type: InvitationStatusEnum, resolve: (v) => v.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.invitation.created_at }),
    expiresAt: t.field({ type: 'DateTime', resolve: (v) => v.invitation.expires_at }),
    acceptedAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.invitation.accepted_at }),
    invitedBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who sent it; null when the system did (e.g. the first owner’s setup link).',
      resolve: (v) => v.invitedBy,
    }),
    timeToAcceptSeconds: t.int({
      nullable: true,
      description: 'Seconds from sending to acceptance; null while not accepted.',
      resolve: (v) => timeToAcceptSeconds(v.invitation),
    }),
  }),
});

const InvitationEdge = builder
  .objectRef<{ cursor: string; node: InvitationView }>('InvitationEdge')
  .implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: InvitationRef, resolve: (e) => e.node }),
    }),
  });

const InvitationConnection = builder
  .objectRef<Awaited<ReturnType<typeof listInvitations>>>('InvitationConnection')
  .implement({
    description: 'A page of invitations, newest first.',
    fields: (t) => ({
      edges: t.field({ type: [InvitationEdge], resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c.pageInfo }),
    }),
  });

builder.queryFields((t) => ({
  invitations: t.field({
    type: InvitationConnection,
    description: 'The organisation’s invitations, newest first. Requires `invitations:read`.',
    args: {
      status: t.arg({ type: InvitationStatusEnum }),
      first: t.arg.int({ description: 'Page size, 1 to 100 (default 20).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_r, args, ctx) =>
      listInvitations(commandContext(ctx), {
        status: args.status ?? null,
        first: args.first ?? null,
        after: args.after ?? null,
      }),
  }),
}));

/** One loader per request: a page of users asking for `invitation` costs one query, not one per user. */
const invitationLoaders = new WeakMap<GraphQLContext, DataLoader<UserRow, InvitationView | null>>();
function latestInvitationLoader(ctx: GraphQLContext): DataLoader<UserRow, InvitationView | null> {
  let loader = invitationLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((users) => latestInvitationsOf(commandContext(ctx), users), {
      cacheKeyFn: (u) => u.id,
    });
    invitationLoaders.set(ctx, loader);
  }
  return loader;
}

builder.objectField(UserRef, 'invitation', (t) =>
  t.field({
    type: InvitationRef,
    nullable: true,
    description: 'The user’s latest invitation, null if never invited. Requires `invitations:read`.',
    resolve: (user, _a, ctx) => latestInvitationLoader(ctx).load(user),
  }),
);

/** What issuing a link returns: the invitee, the invitation, and the link, shown this once. */
const IssuedInvitationRef = builder.objectRef<IssuedInvitation>('IssuedInvitation').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (i) => i.user }),
    invitation: t.field({ type: InvitationRef, resolve: (i) => i.invitation }),
    acceptLink: t.string({
      description:
        'The acceptance link, built from the configured public URL. Shown only now: it is stored hashed.',
      resolve: (i) => i.link,
    }),
  }),
});

const InviteUsersPayload = builder
  .objectRef<{ invitations?: IssuedInvitation[]; userErrors: unknown[] }>('InviteUsersPayload')
  .implement({
    description: 'One result per entry, in input order; or, when any entry is refused, none at all.',
    fields: (t) => ({
      invitations: t.field({
        type: [IssuedInvitationRef],
        nullable: true,
        resolve: (p) => p.invitations ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
    }),
  });

const IssuedInvitationPayload = builder
  .objectRef<{ invitation?: IssuedInvitation; userErrors: unknown[] }>('IssuedInvitationPayload')
  .implement({
    fields: (t) => ({
      invitation: t.field({
        type: IssuedInvitationRef,
        nullable: true,
        resolve: (p) => p.invitation ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
    }),
  });

const InvitationPayload = builder
  .objectRef<{ invitation?: InvitationView; userErrors: unknown[] }>('InvitationPayload')
  .implement({
    fields: (t) => ({
      invitation: t.field({ type: InvitationRef, nullable: true, resolve: (p) => p.invitation ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
    }),
  });

const InviteUserInput = builder.inputType('InviteUserInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    role: t.field({ type: RoleKeyEnum, required: true }),
    displayName: t.string(),
    message: t.string({ description: 'A note for the invitee, kept with the invitation.' }),
    expiresInDays: t.int({ description: 'Link lifetime, 1 to 90 days; the organisation default if absent.' }),
    departmentId: t.id({ description: 'Places the invited user in this department (primary).' }),
    timeZone: t.string({
      description: 'The invited user’s IANA time zone (e.g. Europe/Oslo); none if absent.',
    }),
  }),
});

const InviteUsersInput = builder.inputType('InviteUsersInput', {
  fields: (t) => ({
    invitations: t.field({
      type: [InviteUserInput],
      required: true,
      description: '1 to 100 people. All are invited or, if any entry is refused, none.',
    }),
  }),
});

const ResendInvitationInput = builder.inputType('ResendInvitationInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    role: t.field({ type: RoleKeyEnum, description: 'A different role; kept if absent.' }),
    message: t.string({ description: 'Kept from the previous invitation if absent; null removes it.' }),
    expiresInDays: t.int(),
  }),
});

const RevokeInvitationInput = builder.inputType('RevokeInvitationInput', {
  fields: (t) => ({ userId: t.id({ required: true }) }),
});

const InvitationPreviewRef = builder.objectRef<InvitationPreview>('InvitationPreview').implement({
  description:
    'What an acceptance link is for, shown before accepting: only what the invitation email already says.',
  fields: (t) => ({
    organizationName: t.exposeString('organizationName'),
    email: t.exposeString('email', { description: 'The invited address; the account’s sign-in email.' }),
    role: t.field({ type: RoleKeyEnum, resolve: (p) => p.role }),
    invitedBy: t.exposeString('invitedBy', {
      nullable: true,
      description: 'Who sent it; null for the first owner’s setup link.',
    }),
    message: t.exposeString('message', { nullable: true }),
    departmentName: t.exposeString('departmentName', {
      nullable: true,
      description: 'The department the person is invited into; null when none was chosen.',
    }),
    expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
    minPasswordLength: t.exposeInt('minPasswordLength', {
      description:
        "The new password's minimum length: NIST's floor (15 as the only factor), raised by the organisation's setting.",
    }),
  }),
});

builder.queryFields((t) => ({
  invitationPreview: t.field({
    type: InvitationPreviewRef,
    description:
      'Anonymous: the invitation behind an acceptance link. An unusable token answers only the error INVITATION_INVALID (unknown, used, revoked, replaced) or INVITATION_EXPIRED; failed look-ups are throttled per source address.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, { token }, ctx) => previewInvitation(ctx.services, ctx.meta, { token }),
  }),
}));

const AcceptInvitationInput = builder.inputType('AcceptInvitationInput', {
  fields: (t) => ({
    token: t.string({ required: true, description: 'The token from the acceptance link.' }),
    password: t.string({ required: true }),
    displayName: t.string(),
    jobTitle: t.string(),
    phone: t.string(),
    locale: t.string({ description: 'BCP 47 language tag, e.g. en-GB.' }),
    timeZone: t.string({ description: 'IANA time zone, e.g. Europe/London.' }),
  }),
});

/** GraphQL gives null for an explicit null and undefined for an absent field; commands want the same. */
const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

builder.mutationFields((t) => ({
  inviteUsers: t.field({
    type: InviteUsersPayload,
    description: 'Invite people: each gets a user record (status INVITED) and a one-time acceptance link.',
    args: { input: t.arg({ type: InviteUsersInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        invitations: await inviteUsers(commandContext(ctx), {
          invitations: input.invitations.map((i) => ({
            email: i.email,
            role: i.role,
            displayName: given(i.displayName),
            message: i.message ?? null,
            expiresInDays: i.expiresInDays ?? null,
            departmentId: i.departmentId == null ? null : String(i.departmentId),
            timeZone: i.timeZone ?? null,
          })),
        }),
      })),
  }),
  resendInvitation: t.field({
    type: IssuedInvitationPayload,
    description: 'Issue a new link to an invited user; the previous link stops working.',
    args: { input: t.arg({ type: ResendInvitationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        invitation: await resendInvitation(commandContext(ctx), {
          userId: String(input.userId),
          role: given(input.role),
          // absent keeps the previous message; an explicit null removes it
          message: input.message,
          expiresInDays: input.expiresInDays ?? null,
        }),
      })),
  }),
  revokeInvitation: t.field({
    type: InvitationPayload,
    description: 'Kill a pending link. The user stays INVITED and can be sent a new link.',
    args: { input: t.arg({ type: RevokeInvitationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        invitation: (await revokeInvitation(commandContext(ctx), { userId: String(input.userId) }))
          .invitation,
      })),
  }),
  acceptInvitation: t.field({
    type: SessionTokensPayload,
    description:
      'Accept an invitation with its token (no sign-in needed): set a password and profile, become active, and be signed in — the payload carries the new session’s tokens, as `signIn` does. Once per request.',
    args: { input: t.arg({ type: AcceptInvitationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const r = await acceptInvitationAndSignIn(
          ctx.services,
          {
            token: input.token,
            password: input.password,
            displayName: given(input.displayName),
            jobTitle: given(input.jobTitle),
            phone: given(input.phone),
            locale: given(input.locale),
            timeZone: given(input.timeZone),
          },
          ctx.meta,
        );
        return {
          accessToken: r.accessToken,
          refreshToken: r.refreshToken,
          expiresAt: r.expiresAt,
          user: r.user,
        };
      }),
  }),
}));
