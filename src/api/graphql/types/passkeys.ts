import type { PasskeyRow } from '../../../db/schema.js';
import { beginPasskeyRegistration } from '../../../domain/passkeys/begin-passkey-registration.js';
import { beginPasskeySignIn } from '../../../domain/passkeys/begin-passkey-sign-in.js';
import { finishPasskeyRegistration } from '../../../domain/passkeys/finish-passkey-registration.js';
import { finishPasskeySignIn } from '../../../domain/passkeys/finish-passkey-sign-in.js';
import { listMyPasskeys } from '../../../domain/passkeys/list-my-passkeys.js';
import { removePasskey } from '../../../domain/passkeys/remove-passkey.js';
import { renamePasskey } from '../../../domain/passkeys/rename-passkey.js';
import { builder } from '../builder.js';
import { commandContext, enrolmentContext } from '../context.js';
import { SessionTokensPayload } from './session.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';
import { webauthnOptionsPayload } from './webauthn-options-payload.js';

// Passkeys (WebAuthn): thin edges over domain/passkeys/. Options and responses are the JSON of
// @simplewebauthn/browser's startRegistration / startAuthentication, passed through as the JSON scalar.

export const PasskeyRef = builder.objectRef<PasskeyRow>('Passkey').implement({
  description: 'One of your passkeys. Its key never leaves the server.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.created_at }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.last_used_at }),
    backedUp: t.exposeBoolean('backed_up', {
      description:
        'Whether the authenticator says the passkey is backed up (synced), so it survives a lost device.',
    }),
    deviceType: t.string({
      description: '`singleDevice` or `multiDevice` (may be synced), as the authenticator reported.',
      resolve: (p) => p.device_type,
    }),
    transports: t.stringList({ resolve: (p) => p.transports }),
  }),
});

const FinishPasskeyRegistrationInput = builder.inputType('FinishPasskeyRegistrationInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Your name for it ("Work laptop"), 1–100 characters.' }),
    response: t.field({
      type: 'JSON',
      required: true,
      description: 'The RegistrationResponseJSON from startRegistration.',
    }),
  }),
});
const RenamePasskeyInput = builder.inputType('RenamePasskeyInput', {
  fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: true }) }),
});
const RemovePasskeyInput = builder.inputType('RemovePasskeyInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});
const FinishPasskeySignInInput = builder.inputType('FinishPasskeySignInInput', {
  fields: (t) => ({
    ceremonyId: t.string({ required: true, description: 'From beginPasskeySignIn.' }),
    response: t.field({
      type: 'JSON',
      required: true,
      description: 'The AuthenticationResponseJSON from startAuthentication.',
    }),
  }),
});

const BeginPasskeyRegistrationPayload = webauthnOptionsPayload(
  'BeginPasskeyRegistrationPayload',
  'PublicKeyCredentialCreationOptionsJSON for startRegistration({ optionsJSON }).',
);

const PasskeyPayload = builder
  .objectRef<{ passkey?: PasskeyRow; userErrors: UserErrorShape[] }>('PasskeyPayload')
  .implement({
    fields: (t) => ({
      passkey: t.field({ type: PasskeyRef, nullable: true, resolve: (p) => p.passkey ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const RemovePasskeyPayload = builder
  .objectRef<{ removedId?: string; userErrors: UserErrorShape[] }>('RemovePasskeyPayload')
  .implement({
    fields: (t) => ({
      removedId: t.id({ nullable: true, resolve: (p) => p.removedId ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const BeginPasskeySignInPayload = builder
  .objectRef<{ ceremonyId?: string; options?: unknown; expiresAt?: Date; userErrors: UserErrorShape[] }>(
    'BeginPasskeySignInPayload',
  )
  .implement({
    fields: (t) => ({
      ceremonyId: t.string({
        nullable: true,
        description: 'Send it back with the response to finishPasskeySignIn; it works once, for 5 minutes.',
        resolve: (p) => p.ceremonyId ?? null,
      }),
      options: t.field({
        type: 'JSON',
        nullable: true,
        description: 'PublicKeyCredentialRequestOptionsJSON for startAuthentication({ optionsJSON }).',
        resolve: (p) => p.options ?? null,
      }),
      expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.expiresAt ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

builder.queryFields((t) => ({
  myPasskeys: t.field({
    type: [PasskeyRef],
    description: 'Your own passkeys, oldest first.',
    resolve: (_r, _a, ctx) => listMyPasskeys(enrolmentContext(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  beginPasskeyRegistration: t.field({
    type: BeginPasskeyRegistrationPayload,
    description:
      'Start adding a passkey to your account: creation options (discoverable credential, user verification required) bound to this session for 5 minutes.',
    resolve: (_r, _a, ctx) => runMutation(() => beginPasskeyRegistration(enrolmentContext(ctx))),
  }),
  finishPasskeyRegistration: t.field({
    type: PasskeyPayload,
    description: 'Finish adding a passkey with the authenticator’s response. You are emailed.',
    args: { input: t.arg({ type: FinishPasskeyRegistrationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        passkey: await finishPasskeyRegistration(enrolmentContext(ctx), {
          name: input.name,
          response: input.response as never,
        }),
      })),
  }),
  renamePasskey: t.field({
    type: PasskeyPayload,
    description: 'Rename one of your passkeys.',
    args: { input: t.arg({ type: RenamePasskeyInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        passkey: await renamePasskey(commandContext(ctx), { id: String(input.id), name: input.name }),
      })),
  }),
  removePasskey: t.field({
    type: RemovePasskeyPayload,
    description: 'Remove one of your passkeys; it can no longer sign in. You are emailed.',
    args: { input: t.arg({ type: RemovePasskeyInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        removedId: (await removePasskey(commandContext(ctx), { id: String(input.id) })).id,
      })),
  }),
  beginPasskeySignIn: t.field({
    type: BeginPasskeySignInPayload,
    description:
      'Anonymous: start a passwordless sign-in with a passkey (no email: the browser offers the passkeys it has). At most 30 per source address per minute (TOO_MANY_REQUESTS). Once per request.',
    resolve: (_r, _a, ctx) => runMutation(() => beginPasskeySignIn(ctx.services, ctx.meta)),
  }),
  finishPasskeySignIn: t.field({
    type: SessionTokensPayload,
    description:
      'Anonymous: sign in with a passkey’s assertion for a ceremony of beginPasskeySignIn. Failures count toward the sign-in lockout. Once per request.',
    args: { input: t.arg({ type: FinishPasskeySignInInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const r = await finishPasskeySignIn(ctx.services, ctx.meta, {
          ceremonyId: input.ceremonyId,
          response: input.response as never,
        });
        return {
          accessToken: r.accessToken,
          refreshToken: r.refreshToken,
          expiresAt: r.expiresAt,
          user: r.user,
        };
      }),
  }),
}));
