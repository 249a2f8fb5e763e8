import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

export type Tx = Transaction<DB>;
export type AfterCommit = () => void | Promise<void>;
export type BeforeCommit = () => void | Promise<void>;

export interface TransactionScope {
  trx: Tx;
  /** Runs `fn` after the transaction has committed; never when it rolls back. */
  onCommit(fn: AfterCommit): void;
  /**
   * Runs `fn` inside the transaction once the work has returned, just before commit (in order; one
   * registered while the hooks run runs too). Never when the work throws. The audit trail appends its
   * buffered events here, so the organisation's chain head is locked last and only for the append.
   */
  beforeCommit(fn: BeforeCommit): void;
  /** Per-transaction state of a module (e.g. the audit buffer), keyed by something the module owns. */
  readonly locals: Map<symbol, unknown>;
}

const current = new AsyncLocalStorage<TransactionScope>();

export class NestedDatabaseUseError extends Error {
  override name = 'NestedDatabaseUseError';
}

/** The transaction this async context runs in, if any. */
export function currentTransaction(): TransactionScope | undefined {
  return current.getStore();
}

/** The scope whose handle is `trx` (the current one, when the caller passes its own transaction). */
export function scopeOf(trx: Tx): TransactionScope | undefined {
  const scope = current.getStore();
  return scope && scope.trx === trx ? scope : undefined;
}

/**
 * Runs `fn` in one transaction. Before-commit hooks run inside it after `fn` returns; after-commit hooks
 * run once it has committed, in order; a failing after-commit hook is reported to `onHookError` and does
 * not undo the commit. Opening a second transaction inside the first is refused: on the embedded database
 * it would wait forever for the single connection.
 */
export async function withTransaction<T>(
  db: Kysely<DB>,
  fn: (scope: TransactionScope) => Promise<T>,
  onHookError: (err: unknown) => void = () => undefined,
): Promise<T> {
  if (current.getStore()) throw new NestedDatabaseUseError('a transaction is already open in this context');
  const hooks: AfterCommit[] = [];
  const result = await db.transaction().execute((trx) => {
    const before: BeforeCommit[] = [];
    const scope: TransactionScope = {
      trx,
      onCommit: (h) => hooks.push(h),
      beforeCommit: (h) => before.push(h),
      locals: new Map(),
    };
    return current.run(scope, async () => {
      const value = await fn(scope);
      for (let i = 0; i < before.length; i += 1) await before[i]!();
      return value;
    });
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
