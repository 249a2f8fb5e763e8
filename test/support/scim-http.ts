import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { RoleKey } from '../../src/authz/roles.js';
import type { OrganizationRow, UserRow } from '../../src/db/schema.js';
import { createScimToken } from '../../src/domain/api-credentials/create-scim-token.js';
import type { CommandContext } from '../../src/domain/shared/context.js';
import { actorFor, authenticatedNow, contextFor, createOrg, createUser } from './factories.js';
import { openTestRuntime, type TestRuntime } from './test-runtime.js';

export const scimSchemas = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
} as const;

// SCIM bodies are read loosely in tests: each assertion states the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface ScimHarness {
  rt: TestRuntime;
  app: RosterServer;
  org: OrganizationRow;
  admin: UserRow;
  /** The administrator's command context (issued the token). */
  ctx: CommandContext;
  token: string;
  /** A request to /scim/v2 with the token (unless headers say otherwise); bodies sent as application/scim+json. */
  scim(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A real server, an organisation with an owner and an administrator, and a SCIM token (scope users). */
export async function openScimHarness(
  name: string,
  maxRole: RoleKey = 'user_manager',
  scopes: ('users' | 'groups' | 'role_mapping')[] = ['users'],
): Promise<ScimHarness> {
  const rt = await openTestRuntime();
  const app = await buildServer(rt.services, { logger: false, consoleRoot: false });
  const org = await createOrg(rt.services, name);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await createUser(rt.services, org.id, { role: 'owner', email: `owner@${slug}.test` });
  const admin = await createUser(rt.services, org.id, { role: 'administrator', email: `admin@${slug}.test` });
  const actor = await actorFor(rt.services, admin);
  await authenticatedNow(rt.services, actor);
  const ctx = contextFor(rt.services, actor);
  const token = (await createScimToken(ctx, { name: 'IdP', scopes, maxRole })).secret;
  return {
    rt,
    app,
    org,
    admin,
    ctx,
    token,
    scim: (method, url, body, headers) =>
      app.inject({
        method,
        url: `/scim/v2${url}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    close: async () => {
      await app.close();
      await rt.close();
    },
  };
}

export const json = (r: LightMyRequestResponse) => r.json() as Record<string, Loose>;

export function expectScimError(r: LightMyRequestResponse, status: number, scimType?: string) {
  expect(r.statusCode, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = json(r);
  expect(body.schemas).toEqual([scimSchemas.error]);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  else expect(body.scimType).toBeUndefined();
}

export const patchOf = (...Operations: unknown[]) => ({ schemas: [scimSchemas.patchOp], Operations });

/** `count` active users of the organisation in one statement (for groups of thousands), ids ascending. */
export async function insertPeople(h: ScimHarness, count: number, prefix: string): Promise<string[]> {
  const now = h.rt.services.clock.now();
  const rows = await h.rt.services.db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => {
        const email = `${prefix}.${i}@people.test`;
        return {
          org_id: h.org.id,
          email,
          email_normalized: email,
          display_name: `${prefix} ${i}`,
          search_text: `${prefix} ${i} ${email}`,
          role: 'viewer',
          status: 'active',
          status_changed_at: now,
          created_at: now,
          updated_at: now,
          activated_at: now,
        };
      }),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}

/** The ids of a department's members as stored (user_departments), ascending. */
export async function departmentMemberIds(h: ScimHarness, departmentId: string): Promise<string[]> {
  const rows = await h.rt.services.db
    .selectFrom('user_departments')
    .select('user_id')
    .where('department_id', '=', departmentId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}
