import type { Selectable } from 'kysely';
import type { PersonalApiTokensTable } from '../../db/schema.js';

export type PersonalTokenRow = Selectable<PersonalApiTokensTable>;
export type PersonalTokenView = Omit<PersonalTokenRow, 'secret_hash'>;

export function viewOfPersonalToken(row: PersonalTokenRow): PersonalTokenView {
  const { secret_hash: _hidden, ...view } = row;
  return view;
}
