import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

export type Tx = Transaction<DB>;
export type AfterCommit = () => void | Promise<void>;

export interface TransactionScope {
  trx: Tx;
  /** Runs `fn` after the transaction has committed; never when it rolls back. */
  onCommit(fn: AfterCommit): void;
}

const current = new AsyncLocalStorage<TransactionScope>();

export class NestedDatabaseUseError extends Error {
  override name = 'NestedDatabaseUseError';
}

/** The transaction this async context runs in, if any. */
export function currentTransaction(): TransactionScope | undefined {
  return current.getStore();
}

/**
 * Runs `fn` in one transaction. After-commit hooks run once it has committed, in order; a failing hook
 * is reported to `onHookError` and does not undo the commit. Opening a second transaction inside the first
 * is refused: on the embedded database it would wait forever for the single connection.
 */
export async function withTransaction<T>(
  db: Kysely<DB>,
  fn: (scope: TransactionScope) => Promise<T>,
  onHookError: (err: unknown) => void = () => undefined,
): Promise<T> {
  if (current.getStore()) throw new NestedDatabaseUseError('a transaction is already open in this context');
  const hooks: AfterCommit[] = [];
  const result = await db.transaction().execute((trx) => {
    const scope: TransactionScope = { trx, onCommit: (h) => hooks.push(h) };
    return current.run(scope, () => fn(scope));
  });
  for (const h of hooks) {
    try {
      await h();
    } catch (err) {
      onHookError(err);
    }
  }
  return result;
}
