/**
 * Whether a database error is a unique violation (SQLSTATE 23505) of the named constraint or index. Both
 * node-postgres and PGlite report `code` and `constraint`. For turning a race that a check inside the
 * transaction could not see (two concurrent writers) into the domain's own error instead of a 500.
 */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '23505' && e.constraint === constraint;
}
