import type { RoleKey } from '../../src/authz/roles.js';
import type { UserStatus } from '../../src/domain/users/user-status.js';
import { gql } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import type { E2EServer } from './e2e-server.js';

const people: [string, RoleKey, UserStatus, string][] = [
  ['Amara Okafor', 'administrator', 'active', 'Operations'],
  ['Ben Hughes', 'investigator', 'active', 'Serious Crime'],
  ['Chloe Martin', 'investigator', 'active', 'Serious Crime'],
  ['Daniel Price', 'analyst', 'active', 'Intelligence'],
  ['Elif Yilmaz', 'analyst', 'invited', 'Intelligence'],
  ['Farah Khan', 'auditor', 'active', 'Operations'],
  ['George Evans', 'viewer', 'suspended', 'Operations'],
  ['Hannah Lewis', 'user_manager', 'active', 'Operations'],
  ['Isaac Turner', 'investigator', 'deactivated', 'Serious Crime'],
  ['Jade Roberts', 'security_officer', 'active', 'Operations'],
  ['Kieran Walsh', 'viewer', 'invited', 'Intelligence'],
  ['Lucy Bennett', 'analyst', 'active', 'Intelligence'],
];

/** A small, realistic organisation: departments and a dozen people in several roles and states. */
export async function seedOrganisation(server: E2EServer, ownerToken: string): Promise<void> {
  const org = await server.rt.services.db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', server.orgSlug)
    .executeTakeFirstOrThrow();
  const departments = new Map<string, string>();
  for (const name of ['Operations', 'Serious Crime', 'Intelligence']) {
    const r = await gql(
      server.app,
      'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id } userErrors { message } } }',
      { i: { name } },
      ownerToken,
    );
    departments.set(name, r.body.data.createDepartment.department.id);
  }
  for (const [name, role, status, department] of people) {
    const email = `${name.toLowerCase().replace(' ', '.')}@example.com`;
    const user = await createUser(server.rt.services, org.id, { displayName: name, email, role, status });
    await gql(
      server.app,
      'mutation($i: SetUserDepartmentsInput!) { setUserDepartments(input: $i) { userErrors { message } } }',
      { i: { userId: user.id, primaryDepartmentId: departments.get(department) } },
      ownerToken,
    );
  }
}
