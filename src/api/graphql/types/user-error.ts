import type { DomainError } from '../../../domain/errors.js';
import { isDomainError, type ErrorCode } from '../../../domain/errors.js';
import { builder } from '../builder.js';

export interface UserErrorShape {
  code: ErrorCode;
  message: string;
  field: string | null;
  /** The user the error is about, only when the viewer may act on them (see the GraphQL field). */
  userId?: string | null;
}

export const UserError = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'Why a mutation did not apply. `code` is stable; `message` is safe to show.',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    field: t.exposeString('field', { nullable: true }),
    userId: t.exposeID('userId', {
      nullable: true,
      description:
        'The existing user the error is about, given only when the viewer may act on them: EMAIL_TAKEN of a still-invited user whose invitation the viewer may resend (`resendInvitation`).',
    }),
  }),
});

export function toUserError(err: DomainError): UserErrorShape {
  const field = typeof err.details?.field === 'string' ? err.details.field : null;
  const userId = typeof err.details?.userId === 'string' ? err.details.userId : null;
  return { code: err.code, message: err.message, field, userId };
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
