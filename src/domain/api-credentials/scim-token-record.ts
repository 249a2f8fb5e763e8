import type { Selectable } from 'kysely';
import type { ScimTokensTable } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';

export type ScimTokenRow = Selectable<ScimTokensTable>;
/** What is ever shown of a token: everything but the hash. */
export type ScimTokenView = Omit<ScimTokenRow, 'secret_hash'>;

export function viewOfScimToken(row: ScimTokenRow): ScimTokenView {
  const { secret_hash: _hidden, ...view } = row;
  return view;
}

/** The token of the actor's organisation, locked; another organisation's answers NOT_FOUND. */
export async function lockScimToken(trx: Tx, orgId: string, id: string): Promise<ScimTokenRow> {
  if (!isUuid(id)) throw new DomainError('NOT_FOUND');
  const row = await trx
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND');
  return row;
}

/** Issuing and rotating need a person signed in with a session (step-up), never a token. */
export function requireSessionActor(actor: Actor): void {
  if (actor.type === 'personal_token' || actor.type === 'api_credential') {
    throw new DomainError('SESSION_REQUIRED');
  }
}
