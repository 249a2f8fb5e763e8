import type { DomainError } from '../../../domain/errors.js';
import { isDomainError, type ErrorCode } from '../../../domain/errors.js';
import { builder } from '../builder.js';

export interface UserErrorShape {
  code: ErrorCode;
  message: string;
  field: string | null;
}

export const UserError = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'Why a mutation did not apply. `code` is stable; `message` is safe to show.',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    field: t.exposeString('field', { nullable: true }),
  }),
});

export function toUserError(err: DomainError): UserErrorShape {
  const field = typeof err.details?.field === 'string' ? err.details.field : null;
  return { code: err.code, message: err.message, field };
}

/**
 * Runs a mutation's command. Domain errors become `userErrors` of the payload; UNAUTHENTICATED stays a
 * top-level error (the client must sign in); anything unexpected propagates and is masked.
 */
export async function runMutation<T extends object>(
  fn: () => Promise<T>,
): Promise<Partial<T> & { userErrors: UserErrorShape[] }> {
  try {
    return { ...(await fn()), userErrors: [] };
  } catch (err) {
    if (isDomainError(err) && err.code !== 'UNAUTHENTICATED')
      return { userErrors: [toUserError(err)] } as never;
    throw err;
  }
}
