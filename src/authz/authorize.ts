import { DomainError } from '../domain/errors.js';
import type { Permission } from './permissions.js';
import { actorPermissions } from './actor-permissions.js';
import type { Actor } from '../domain/shared/context.js';

/** Whether the actor holds the permission in its own organisation. The system actor holds all (actor-permissions.ts). */
export function can(actor: Actor, permission: Permission): boolean {
  return actorPermissions(actor).has(permission);
}

/**
 * The check every command makes before touching data. Targets are always loaded with the actor's
 * organisation in the query, so another organisation's objects are simply not found.
 */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new DomainError('FORBIDDEN');
}
