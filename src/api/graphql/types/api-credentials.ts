import type { Permission } from '../../../authz/permissions.js';
import type { RoleKey } from '../../../authz/roles.js';
import { createPersonalToken } from '../../../domain/api-credentials/create-personal-token.js';
import { createScimToken } from '../../../domain/api-credentials/create-scim-token.js';
import { scimScopes } from '../../../domain/api-credentials/credential-rules.js';
import { listMyPersonalTokens } from '../../../domain/api-credentials/list-personal-tokens.js';
import { listScimTokens } from '../../../domain/api-credentials/list-scim-tokens.js';
import type { PersonalTokenView } from '../../../domain/api-credentials/personal-token-record.js';
import { revokePersonalToken } from '../../../domain/api-credentials/revoke-personal-token.js';
import { revokeScimToken } from '../../../domain/api-credentials/revoke-scim-token.js';
import { rotateScimToken } from '../../../domain/api-credentials/rotate-scim-token.js';
import type { ScimTokenView } from '../../../domain/api-credentials/scim-token-record.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { PermissionNameEnum, RoleKeyEnum } from './enums.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';

// API credentials (issue 13): thin edges over domain/api-credentials/. A secret appears only in the
// payload of the mutation that made it.

type ScimScope = (typeof scimScopes)[number];
const ScimScopeEnum = builder.enumType('ScimTokenScope', {
  description: 'What a SCIM token may do: provision USERS, GROUPS (departments), ROLE_MAPPING (group→role).',
  values: Object.fromEntries(scimScopes.map((s) => [s.toUpperCase(), { value: s }])) as unknown as Record<
    Uppercase<ScimScope>,
    { value: ScimScope }
  >,
});

const isLive = (t: { revoked_at: Date | null; expires_at: Date }, now: Date) =>
  t.revoked_at === null && t.expires_at.getTime() > now.getTime();

export const ScimTokenRef = builder.objectRef<ScimTokenView>('ScimToken').implement({
  description: 'A SCIM bearer token of the organisation. Its secret is shown once, when made or rotated.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    scopes: t.field({ type: [ScimScopeEnum], resolve: (r) => r.scopes as ScimScope[] }),
    maxRole: t.field({
      type: RoleKeyEnum,
      description: 'The widest role the token may act on or map a group to.',
      resolve: (r) => r.max_role as RoleKey,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expires_at }),
    rotatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.rotated_at }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.revoked_at }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Written at most once a minute.',
      resolve: (r) => r.last_used_at,
    }),
    lastUsedIp: t.string({ nullable: true, resolve: (r) => r.last_used_ip }),
    live: t.boolean({
      description: 'Neither revoked nor expired.',
      resolve: (r, _a, ctx) => isLive(r, ctx.services.clock.now()),
    }),
  }),
});

export const PersonalApiTokenRef = builder.objectRef<PersonalTokenView>('PersonalApiToken').implement({
  description:
    'One of your personal API tokens (`Authorization: Bearer rst_pat_…` on /graphql). It acts with your current role, narrowed to `permissions` when set.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    permissions: t.field({
      type: [PermissionNameEnum],
      nullable: true,
      description: 'Null: everything your role holds at each use.',
      resolve: (r) => (r.permissions as Permission[] | null) ?? null,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expires_at }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.revoked_at }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.last_used_at }),
    lastUsedIp: t.string({ nullable: true, resolve: (r) => r.last_used_ip }),
    live: t.boolean({ resolve: (r, _a, ctx) => isLive(r, ctx.services.clock.now()) }),
  }),
});

const CreateScimTokenInput = builder.inputType('CreateScimTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1–100 characters, e.g. "Entra ID".' }),
    scopes: t.field({ type: [ScimScopeEnum], required: true }),
    maxRole: t.field({ type: RoleKeyEnum, required: true }),
    expiresInDays: t.int({ description: 'Default 90, at most 365.' }),
  }),
});
const RotateScimTokenInput = builder.inputType('RotateScimTokenInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expiresInDays: t.int({ description: 'Default 90, at most 365.' }),
  }),
});
const RevokeCredentialInput = builder.inputType('RevokeApiCredentialInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});
const CreatePersonalApiTokenInput = builder.inputType('CreatePersonalApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    expiresInDays: t.int({ description: 'Default 30, at most 365.' }),
    permissions: t.field({
      type: [PermissionNameEnum],
      description: 'A subset of what you hold; omitted: your role’s permissions at each use.',
    }),
  }),
});

const ScimTokenSecretPayload = builder
  .objectRef<{ token?: ScimTokenView; secret?: string; userErrors: UserErrorShape[] }>(
    'ScimTokenSecretPayload',
  )
  .implement({
    fields: (t) => ({
      token: t.field({ type: ScimTokenRef, nullable: true, resolve: (p) => p.token ?? null }),
      secret: t.string({
        nullable: true,
        description: 'The bearer token, shown this once: only its hash is kept.',
        resolve: (p) => p.secret ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });
const ScimTokenPayload = builder
  .objectRef<{ token?: ScimTokenView; userErrors: UserErrorShape[] }>('ScimTokenPayload')
  .implement({
    fields: (t) => ({
      token: t.field({ type: ScimTokenRef, nullable: true, resolve: (p) => p.token ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });
const PersonalApiTokenSecretPayload = builder
  .objectRef<{ token?: PersonalTokenView; secret?: string; userErrors: UserErrorShape[] }>(
    'PersonalApiTokenSecretPayload',
  )
  .implement({
    fields: (t) => ({
      token: t.field({ type: PersonalApiTokenRef, nullable: true, resolve: (p) => p.token ?? null }),
      secret: t.string({
        nullable: true,
        description: 'The token, shown this once: only its hash is kept.',
        resolve: (p) => p.secret ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });
const PersonalApiTokenPayload = builder
  .objectRef<{ token?: PersonalTokenView; userErrors: UserErrorShape[] }>('PersonalApiTokenPayload')
  .implement({
    fields: (t) => ({
      token: t.field({ type: PersonalApiTokenRef, nullable: true, resolve: (p) => p.token ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

builder.queryFields((t) => ({
  scimTokens: t.field({
    type: [ScimTokenRef],
    description: 'The organisation’s SCIM tokens, newest first. Needs `api_credentials:manage`.',
    resolve: (_r, _a, ctx) => listScimTokens(commandContext(ctx)),
  }),
  myPersonalApiTokens: t.field({
    type: [PersonalApiTokenRef],
    description: 'Your personal API tokens, newest first.',
    resolve: (_r, _a, ctx) => listMyPersonalTokens(commandContext(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  createScimToken: t.field({
    type: ScimTokenSecretPayload,
    description:
      'Issue a SCIM token (`rst_scim_…`). Needs `api_credentials:manage`, a recent sign-in (step-up), every permission its scopes grant and the right to grant `maxRole`.',
    args: { input: t.arg({ type: CreateScimTokenInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() =>
        createScimToken(commandContext(ctx), {
          name: input.name,
          scopes: input.scopes,
          maxRole: input.maxRole,
          ...(input.expiresInDays != null ? { expiresInDays: input.expiresInDays } : {}),
        }),
      ),
  }),
  rotateScimToken: t.field({
    type: ScimTokenSecretPayload,
    description: 'A new secret for a SCIM token; the old one stops working at once. Step-up as for creating.',
    args: { input: t.arg({ type: RotateScimTokenInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() =>
        rotateScimToken(commandContext(ctx), {
          id: String(input.id),
          ...(input.expiresInDays != null ? { expiresInDays: input.expiresInDays } : {}),
        }),
      ),
  }),
  revokeScimToken: t.field({
    type: ScimTokenPayload,
    description: 'End a SCIM token at once. Needs `api_credentials:manage`.',
    args: { input: t.arg({ type: RevokeCredentialInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        token: await revokeScimToken(commandContext(ctx), { id: String(input.id) }),
      })),
  }),
  createPersonalApiToken: t.field({
    type: PersonalApiTokenSecretPayload,
    description:
      'Make a personal API token (`rst_pat_…`). Needs `api:access`, a signed-in session and a recent sign-in.',
    args: { input: t.arg({ type: CreatePersonalApiTokenInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() =>
        createPersonalToken(commandContext(ctx), {
          name: input.name,
          permissions: input.permissions ?? null,
          ...(input.expiresInDays != null ? { expiresInDays: input.expiresInDays } : {}),
        }),
      ),
  }),
  revokePersonalApiToken: t.field({
    type: PersonalApiTokenPayload,
    description: 'End one of your personal API tokens at once.',
    args: { input: t.arg({ type: RevokeCredentialInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        token: await revokePersonalToken(commandContext(ctx), { id: String(input.id) }),
      })),
  }),
}));
