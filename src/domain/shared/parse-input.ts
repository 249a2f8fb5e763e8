import type { z } from 'zod';
import { DomainError } from '../errors.js';

/**
 * Validates a command's input against its schema. Unknown fields are refused (schemas are `.strict()`),
 * so a privileged field such as `status` or `orgId` is never silently applied.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const field = first?.path.join('.') || undefined;
  const unknownKeys = first?.code === 'unrecognized_keys' ? first.keys : undefined;
  const message = unknownKeys
    ? `Unknown field${unknownKeys.length > 1 ? 's' : ''}: ${unknownKeys.join(', ')}.`
    : `${field ? `${field}: ` : ''}${first?.message ?? 'invalid input'}`;
  throw new DomainError('VALIDATION_FAILED', message, {
    ...(field ? { field } : {}),
    ...(unknownKeys ? { unknownFields: unknownKeys } : {}),
  });
}
