/**
 * Bounds on a filter, so a hostile one costs little: the parser is linear in the input, its recursion is
 * bounded by `maxDepth`, and the SQL it becomes has at most `maxTerms` comparisons (each may be an EXISTS).
 * Identity providers send filters of one to a few terms.
 */
export const filterLimits = {
  /** Characters (UTF-16 code units) of the filter or path. */
  maxLength: 8192,
  /** Nesting of parentheses, `not` and value paths. */
  maxDepth: 32,
  /** Attribute expressions (`x eq y`, `x pr`) in the whole filter. */
  maxTerms: 200,
} as const;
