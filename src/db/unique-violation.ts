/**
 * Whether a database error is a unique violation (SQLSTATE 23505) of the named constraint or index. Both
 * node-postgres and PGlite report `code` and `constraint`. For turning a race that a check inside the
 * transaction could not see (two concurrent writers) into the domain's own error instead of a 500.
 */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '23505' && e.constraint === constraint;
}

/**
 * Runs a write; a unique violation of `constraint` becomes `error()` (the domain's own error for a value a
 * concurrent writer took first, which the check inside the transaction could not see). Anything else is
 * rethrown as it is.
 */
export async function onUniqueViolation<T>(
  write: () => Promise<T>,
  constraint: string,
  error: () => Error,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, constraint)) throw error();
    throw err;
  }
}
