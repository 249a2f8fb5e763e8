import { ApiError } from '../api/errors';

/** The message of a failed mutation's problem about `field` (as the API names it), to show at that field. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problems.find((p) => p.field === field || p.field?.startsWith(`${field}.`))?.message;
}

/** Whether the failure is about one of `fields` (so the form-level alert need not repeat it). */
export function isFieldError(error: unknown, fields: readonly string[]): boolean {
  return fields.some((f) => fieldError(error, f) !== undefined);
}
