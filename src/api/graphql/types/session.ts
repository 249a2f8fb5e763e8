import type { SessionRow } from '../../../db/schema.js';
import type { IssuedMfaChallenge } from '../../../domain/mfa/mfa-challenge.js';
import { listSessions } from '../../../domain/sessions/list-sessions.js';
import { refreshSession } from '../../../domain/sessions/refresh-session.js';
import { revokeUserSessions } from '../../../domain/sessions/revoke-user-sessions.js';
import { signInWithPassword } from '../../../domain/sessions/sign-in.js';
import { signOut, signOutOtherSessions } from '../../../domain/sessions/sign-out.js';
import { builder } from '../builder.js';
import { commandContext, enrolmentContext, type GraphQLContext } from '../context.js';
import { UserRef } from './user.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';

/** Sign-in and refresh run before there is an actor: they get the services and request meta only. */
const anonymousContext = (ctx: GraphQLContext) => ({ services: ctx.services, meta: ctx.meta });

export interface SessionTokens {
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: Date;
  user?: unknown;
  /** The password was right and a second factor is due (security/mfa-totp; field in types/mfa.ts). */
  mfaChallenge?: IssuedMfaChallenge;
  restriction?: string | null;
  userErrors: UserErrorShape[];
}

export const SessionTokensPayload = builder.objectRef<SessionTokens>('SessionTokensPayload').implement({
  description:
    'A new access token (send as `Authorization: Bearer …`) and the single-use refresh token that replaces it.',
  fields: (t) => ({
    accessToken: t.string({ nullable: true, resolve: (p) => p.accessToken ?? null }),
    refreshToken: t.string({
      nullable: true,
      description: 'Single use: each refresh returns a new one; presenting a used one ends the session.',
      resolve: (p) => p.refreshToken ?? null,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the access token expires.',
      resolve: (p) => p.expiresAt ?? null,
    }),
    user: t.field({ type: UserRef, nullable: true, resolve: (p) => (p.user ?? null) as never }),
    mfaEnrolmentRequired: t.boolean({
      description:
        'The organisation requires a second factor of this person and their grace period is over: this session may only enrol one (`myMfaRequirement`, the enrolment mutations, `signOut`); every other operation answers MFA_ENROLMENT_REQUIRED. After enrolling, refresh the session.',
      resolve: (p) => p.restriction === 'mfa_enrolment',
    }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    organization: t.string({ description: 'Organisation slug; needed when the email exists in several.' }),
  }),
});

const RefreshSessionInput = builder.inputType('RefreshSessionInput', {
  fields: (t) => ({ refreshToken: t.string({ required: true }) }),
});

const RevokeUserSessionsInput = builder.inputType('RevokeUserSessionsInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    sessionId: t.id({ description: 'Only this session; all of the user’s sessions when absent.' }),
  }),
});

const RevokeSessionsPayload = builder
  .objectRef<{ revokedCount?: number; userErrors: UserErrorShape[] }>('RevokeSessionsPayload')
  .implement({
    description: 'How many sessions ended; their access tokens fail from the next request on.',
    fields: (t) => ({
      revokedCount: t.int({ nullable: true, resolve: (p) => p.revokedCount ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const SignOutPayload = builder
  .objectRef<{ ok?: boolean; userErrors: UserErrorShape[] }>('SignOutPayload')
  .implement({
    fields: (t) => ({
      ok: t.boolean({ nullable: true, resolve: (p) => p.ok ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const SessionRef = builder.objectRef<SessionRow>('Session').implement({
  description: 'A signed-in session: a browser or client that holds a refresh token.',
  fields: (t) => ({
    id: t.exposeID('id'),
    authMethod: t.exposeString('auth_method'),
    authenticationMethods: t.stringList({
      description:
        'How the person proved who they are (RFC 8176 `amr`): `pwd` password, `otp` one-time code, `hwk`/`swk` a hardware- or software-bound key (passkey), `user` user verification, `mfa` several factors.',
      resolve: (s) => s.amr,
    }),
    assuranceLevel: t.string({
      description:
        'The authenticator assurance level reached (NIST SP 800-63B, the `acr`): `aal1` or `aal2`.',
      resolve: (s) => s.acr,
    }),
    authenticatedAt: t.field({
      type: 'DateTime',
      description: 'When the person last proved who they are: the sign-in, or a later re-authentication.',
      resolve: (s) => s.auth_time,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.created_at }),
    lastSeenAt: t.field({
      type: 'DateTime',
      description: 'Updated at most every five minutes.',
      resolve: (s) => s.last_seen_at,
    }),
    idleExpiresAt: t.field({ type: 'DateTime', resolve: (s) => s.idle_expires_at }),
    absoluteExpiresAt: t.field({ type: 'DateTime', resolve: (s) => s.absolute_expires_at }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.revoked_at }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('user_agent', { nullable: true }),
    current: t.boolean({
      description: 'Whether this request was made with this session.',
      resolve: (s, _a, ctx) => ctx.actor?.type === 'user' && ctx.actor.sessionId === s.id,
    }),
  }),
});

builder.queryFields((t) => ({
  sessions: t.field({
    type: [SessionRef],
    description:
      'A user’s most recent sessions (100), newest first. Your own without permission; others need `sessions:read`.',
    args: { userId: t.arg.id({ description: 'The viewer when absent.' }) },
    resolve: (_r, { userId }, ctx) =>
      listSessions(commandContext(ctx), userId == null ? null : String(userId)),
  }),
}));

builder.mutationFields((t) => ({
  signIn: t.field({
    type: SessionTokensPayload,
    description:
      'Sign in with email and password. Once per request. With a second factor enrolled the answer carries no tokens but `mfaChallenge`: finish with `completeSignIn`.',
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const a = anonymousContext(ctx);
        const r = await signInWithPassword(a.services, a.meta, {
          email: input.email,
          password: input.password,
          organization: input.organization ?? null,
        });
        if ('mfaChallenge' in r) return { mfaChallenge: r.mfaChallenge };
        return {
          accessToken: r.accessToken,
          refreshToken: r.refreshToken,
          expiresAt: r.expiresAt,
          user: r.user,
          restriction: r.restriction,
        };
      }),
  }),
  refreshSession: t.field({
    type: SessionTokensPayload,
    description: 'Trade a refresh token for new tokens. Each refresh token works once. Once per request.',
    args: { input: t.arg({ type: RefreshSessionInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const a = anonymousContext(ctx);
        const r = await refreshSession(a.services, a.meta, { refreshToken: input.refreshToken });
        return {
          accessToken: r.accessToken,
          refreshToken: r.refreshToken,
          expiresAt: r.expiresAt,
          user: r.user,
          restriction: r.restriction,
        };
      }),
  }),
  signOut: t.field({
    type: SignOutPayload,
    description: 'End the current session.',
    resolve: (_r, _a, ctx) =>
      runMutation(async () => {
        await signOut(enrolmentContext(ctx));
        return { ok: true };
      }),
  }),
  signOutOtherSessions: t.field({
    type: RevokeSessionsPayload,
    description: 'End every session of the viewer except the current one.',
    resolve: (_r, _a, ctx) =>
      runMutation(async () => ({ revokedCount: await signOutOtherSessions(commandContext(ctx)) })),
  }),
  revokeUserSessions: t.field({
    type: RevokeSessionsPayload,
    description:
      'Sign a user out (one session or all). Your own always; others need `users:revoke_sessions`.',
    args: { input: t.arg({ type: RevokeUserSessionsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () =>
        revokeUserSessions(commandContext(ctx), {
          userId: String(input.userId),
          sessionId: input.sessionId == null ? null : String(input.sessionId),
        }),
      ),
  }),
}));
