import { beginReauthenticationPasskey } from '../../../domain/security/begin-reauthentication-passkey.js';
import { reauthenticate } from '../../../domain/security/reauthenticate.js';
import { reauthenticationWindowOf } from '../../../domain/security/step-up-settings.js';
import { maxSessionsPerUserOf, privilegedSessionPolicyOf } from '../../../domain/sessions/session-policy.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { OrganizationRef, readableSettings } from './viewer.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';
import { webauthnOptionsPayload } from './webauthn-options-payload.js';

const ReauthenticateInput = builder.inputType('ReauthenticateInput', {
  description: 'The proof of identity: exactly one of the fields.',
  fields: (t) => ({
    password: t.string({ description: 'Your password.' }),
    totpCode: t.string({ description: 'A code from your authenticator app (works once).' }),
    passkeyAssertion: t.field({
      type: 'JSON',
      description:
        'The AuthenticationResponseJSON from startAuthentication, for the options of `beginReauthenticationPasskey`.',
    }),
  }),
});

const BeginReauthenticationPasskeyPayload = webauthnOptionsPayload('BeginReauthenticationPasskeyPayload');

builder.mutationField('beginReauthenticationPasskey', (t) =>
  t.field({
    type: BeginReauthenticationPasskeyPayload,
    description:
      'Step-up with a passkey: options bound to this session, for `reauthenticate(input: { passkeyAssertion })`; they work once, for 5 minutes.',
    resolve: (_r, _a, ctx) => runMutation(() => beginReauthenticationPasskey(commandContext(ctx))),
  }),
);

const ReauthenticatePayload = builder
  .objectRef<{
    accessToken?: string;
    expiresAt?: Date;
    authenticatedAt?: Date;
    userErrors: UserErrorShape[];
  }>('ReauthenticatePayload')
  .implement({
    description:
      'A new access token for the same session, carrying the new `auth_time`; the refresh token is unchanged.',
    fields: (t) => ({
      accessToken: t.string({ nullable: true, resolve: (p) => p.accessToken ?? null }),
      expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.expiresAt ?? null }),
      authenticatedAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'The session’s new authentication time.',
        resolve: (p) => p.authenticatedAt ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField('reauthenticate', (t) =>
  t.field({
    type: ReauthenticatePayload,
    description:
      'Step-up: prove again who you are (password, app code or passkey), for actions that answer REAUTHENTICATION_REQUIRED. A wrong one counts toward the sign-in lockout. Once per request.',
    args: { input: t.arg({ type: ReauthenticateInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () =>
        reauthenticate(commandContext(ctx), {
          password: input.password ?? null,
          totpCode: input.totpCode ?? null,
          passkeyAssertion: (input.passkeyAssertion as never) ?? null,
        }),
      ),
  }),
);

/** The organisation's step-up and session-policy settings as in force (defaults filled in). */
builder.objectFields(OrganizationRef, (t) => ({
  reauthenticationWindowMinutes: t.int({
    description:
      'Sensitive actions need an authentication of the session within this many minutes. Requires `organization:read`.',
    resolve: (o, _a, ctx) => reauthenticationWindowOf(readableSettings(o, ctx)),
  }),
  sessionPrivilegedIdleMinutes: t.int({
    description:
      'Sessions of privileged roles end after this much inactivity, as set (the shorter of this and `sessionIdleMinutes` applies). Requires `organization:read`.',
    resolve: (o, _a, ctx) => privilegedSessionPolicyOf(readableSettings(o, ctx)).idleMinutes,
  }),
  sessionPrivilegedAbsoluteHours: t.int({
    description:
      'Sessions of privileged roles end this long after sign-in, as set (the shorter of this and `sessionAbsoluteHours` applies). Requires `organization:read`.',
    resolve: (o, _a, ctx) => privilegedSessionPolicyOf(readableSettings(o, ctx)).absoluteHours,
  }),
  maxSessionsPerUser: t.int({
    description:
      'Live sessions one person may hold; a new sign-in beyond it ends the oldest. Requires `organization:read`.',
    resolve: (o, _a, ctx) => maxSessionsPerUserOf(readableSettings(o, ctx)),
  }),
}));
