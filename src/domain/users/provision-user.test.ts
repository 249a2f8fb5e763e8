import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actorFor,
  authenticatedNow,
  contextFor,
  createOrg,
  createUser,
} from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { createScimToken } from '../api-credentials/create-scim-token.js';
import { permissionsOfScopes } from '../api-credentials/credential-rules.js';
import type { CommandContext } from '../shared/context.js';
import { provisionUser } from './provision-user.js';
import { updateProvisionedUser } from './update-provisioned-user.js';
import { updateUserProfile } from './update-user-profile.js';

// The provisioning commands decide who may create and change people for an identity provider: the same
// permissions and target-role rule as the console, whoever calls them (SCIM today, the CLI or GraphQL later).

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );
const count = async (orgId: string) =>
  Number(
    (
      await rt.services.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow()
    ).n,
  );

async function setUp() {
  const s = rt.services;
  const org = await createOrg(s, `Provisioning ${Math.random()}`);
  await createUser(s, org.id, { role: 'owner' });
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const actor = await actorFor(s, admin);
  await authenticatedNow(s, actor);
  const ctx = contextFor(s, actor);
  return { s, org, admin, ctx };
}

function tokenContext(
  base: CommandContext,
  credentialId: string,
  maxRole: 'viewer' | 'user_manager',
): CommandContext {
  return {
    ...base,
    actor: {
      type: 'api_credential',
      credentialId,
      orgId: base.actor.orgId,
      permissions: permissionsOfScopes(['users']),
      maxRole,
    } as CommandContext['actor'],
  };
}

describe('provisionUser', () => {
  it('needs users:invite and the right to grant the role; a refusal writes nothing', async () => {
    const { s, org, ctx } = await setUp();
    const viewer = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'viewer' })));
    const manager = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'user_manager' })));
    const before = await count(org.id);
    expect(await codeOf(provisionUser(viewer, { email: 'a@provision.test' }))).toBe('FORBIDDEN');
    expect(await codeOf(provisionUser(manager, { email: 'b@provision.test', role: 'administrator' }))).toBe(
      'ROLE_NOT_GRANTABLE',
    );
    expect(await codeOf(provisionUser(manager, { email: 'c@provision.test', role: 'nope' }))).toBe(
      'UNKNOWN_ROLE',
    );
    expect(await count(org.id)).toBe(before);
    const made = await provisionUser(ctx, { email: 'd@provision.test', externalId: 'X-1' });
    expect(made).toMatchObject({ access: 'password_link', user: { status: 'active', role: 'viewer' } });
    expect(await codeOf(provisionUser(ctx, { email: 'e@provision.test', externalId: 'X-1' }))).toBe(
      'EXTERNAL_ID_TAKEN',
    );
    expect(await codeOf(provisionUser(ctx, { email: 'D@Provision.test' }))).toBe('EMAIL_TAKEN');
    expect(await codeOf(provisionUser(ctx, { email: 'f@provision.test', managerId: made.user.org_id }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('a SCIM token never creates above its maxRole', async () => {
    const { ctx } = await setUp();
    const token = await createScimToken(ctx, { name: 'IdP', scopes: ['users'], maxRole: 'viewer' });
    const idp = tokenContext(ctx, token.token.id, 'viewer');
    expect(await codeOf(provisionUser(idp, { email: 'g@provision.test', role: 'user_manager' }))).toBe(
      'ROLE_NOT_GRANTABLE',
    );
    expect((await provisionUser(idp, { email: 'h@provision.test' })).user.role).toBe('viewer');
  });
});

describe('updateProvisionedUser', () => {
  it('acts on no user ranked above the actor (the token’s maxRole), writing nothing', async () => {
    const { s, org, ctx } = await setUp();
    const token = await createScimToken(ctx, { name: 'IdP', scopes: ['users'], maxRole: 'viewer' });
    const idp = tokenContext(ctx, token.token.id, 'viewer');
    const manager = await createUser(s, org.id, { role: 'user_manager' });
    expect(await codeOf(updateProvisionedUser(idp, { userId: manager.id, jobTitle: 'x' }))).toBe('FORBIDDEN');
    expect(await codeOf(updateProvisionedUser(idp, { userId: manager.id, active: false }))).toBe('FORBIDDEN');
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', manager.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'active', job_title: null, version: manager.version });
  });

  it('writes profile and status together or not at all, and checks the version once on the locked row', async () => {
    const { s, org, ctx } = await setUp();
    const u = await createUser(s, org.id, { role: 'viewer' });
    expect(
      await codeOf(
        updateProvisionedUser(ctx, {
          userId: u.id,
          jobTitle: 'x',
          active: false,
          expectedVersion: u.version + 1,
        }),
      ),
    ).toBe('VERSION_CONFLICT');
    const done = await updateProvisionedUser(ctx, {
      userId: u.id,
      jobTitle: 'Clerk',
      active: false,
      expectedVersion: u.version,
    });
    expect(done).toMatchObject({ status: 'suspended', job_title: 'Clerk' });
    // an invalid part (a manager that does not exist) rolls back the status change too
    expect(
      await codeOf(
        updateProvisionedUser(ctx, {
          userId: u.id,
          managerId: '00000000-0000-4000-8000-000000000009',
          active: true,
        }),
      ),
    ).toBe('VALIDATION_FAILED');
    const row = await s.db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('suspended');
  });
});

describe('updateUserProfile with provisioning fields', () => {
  it('a user may not set their own externalId or manager without users:update', async () => {
    const { s, org } = await setUp();
    const me = await createUser(s, org.id, { role: 'viewer' });
    const ctx = contextFor(s, await actorFor(s, me));
    const refused = await updateUserProfile(ctx, { userId: me.id, externalId: 'mine' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'FORBIDDEN', details: { field: 'externalId' } });
    expect((await updateUserProfile(ctx, { userId: me.id, jobTitle: 'Fine' })).job_title).toBe('Fine');
  });
});
