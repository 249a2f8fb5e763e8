import { actorMayGrantRole, actorPermissions } from '../../authz/actor-permissions.js';
import type { RoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../shared/context.js';
import { permissionsOfScopes } from './credential-rules.js';

/**
 * No escalation through a token: whoever issues (or rotates) a SCIM token must hold every permission its
 * scopes grant and be able to grant its maxRole (so it acts on, and maps groups to, no role above theirs).
 */
export function assertMayIssue(actor: Actor, scopes: readonly string[], maxRole: RoleKey): void {
  const held = actorPermissions(actor);
  const missing = [...permissionsOfScopes(scopes)].filter((p) => !held.has(p));
  if (missing.length > 0) {
    throw new DomainError('PERMISSION_NOT_HELD', undefined, { field: 'scopes', permissions: missing });
  }
  if (!actorMayGrantRole(actor, maxRole)) {
    throw new DomainError('ROLE_NOT_GRANTABLE', undefined, { field: 'maxRole', role: maxRole });
  }
}
