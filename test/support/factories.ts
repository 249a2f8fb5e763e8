import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { RoleKey } from '../../src/authz/roles.js';
import type { OrganizationRow, UserRow } from '../../src/db/schema.js';
import type { Actor, CommandContext, Services } from '../../src/domain/shared/context.js';
import { normalizeEmail, searchTextOf } from '../../src/domain/users/user-record.js';
import type { UserStatus } from '../../src/domain/users/user-status.js';

const uniq = () => randomBytes(4).toString('hex');

/** A new organisation of the test's own; tests never share one. */
export async function createOrg(services: Services, name = 'Test Org'): Promise<OrganizationRow> {
  return services.db
    .insertInto('organizations')
    .values({ name, slug: `org-${uniq()}`, settings: JSON.stringify({ invitationTtlDays: 7 }) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface UserOverrides {
  role?: RoleKey;
  status?: UserStatus;
  email?: string;
  displayName?: string;
  /** Hashed with the product's argon2id parameters when given. */
  password?: string;
}

export const argon2Options = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export async function createUser(services: Services, orgId: string, o: UserOverrides = {}): Promise<UserRow> {
  const email = o.email ?? `user-${uniq()}@example.test`;
  const displayName = o.displayName ?? `User ${uniq()}`;
  const now = services.clock.now();
  return services.db
    .insertInto('users')
    .values({
      org_id: orgId,
      email,
      email_normalized: normalizeEmail(email),
      display_name: displayName,
      search_text: searchTextOf(displayName, email),
      role: o.role ?? 'viewer',
      status: o.status ?? 'active',
      password_hash: o.password ? await hash(o.password, argon2Options) : null,
      status_changed_at: now,
      created_at: now,
      updated_at: now,
      activated_at: (o.status ?? 'active') === 'invited' ? null : now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An actor for a user, as if signed in; creates a real session row so revocation can find it. */
export async function actorFor(services: Services, user: UserRow): Promise<Actor> {
  const now = services.clock.now();
  const session = await services.db
    .insertInto('sessions')
    .values({
      org_id: user.org_id,
      user_id: user.id,
      auth_time: now,
      idle_expires_at: new Date(now.getTime() + 3_600_000),
      absolute_expires_at: new Date(now.getTime() + 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    type: 'user',
    userId: user.id,
    orgId: user.org_id,
    role: user.role as RoleKey,
    sessionId: session.id,
  };
}

export function contextFor(services: Services, actor: Actor): CommandContext {
  return { ...services, actor, meta: { requestId: `req-${uniq()}`, ip: '127.0.0.1', userAgent: 'vitest' } };
}

/**
 * Step-up for a test actor whose clock has moved on: their session counts as authenticated now, as after
 * `reauthenticate` (sensitive actions — deactivation, privileged role changes — need a recent one).
 */
export async function authenticatedNow(services: Services, actor: Actor): Promise<void> {
  if (actor.type !== 'user') return;
  await services.db
    .updateTable('sessions')
    .set({ auth_time: services.clock.now() })
    .where('id', '=', actor.sessionId)
    .execute();
}
