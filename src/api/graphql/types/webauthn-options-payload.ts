import { builder } from '../builder.js';
import { UserError, type UserErrorShape } from './user-error.js';

/** What a WebAuthn ceremony's first step answers: the browser's options, until when they work, or errors. */
export interface WebAuthnOptionsShape {
  options?: unknown;
  expiresAt?: Date;
  userErrors: UserErrorShape[];
}

const requestOptions =
  'PublicKeyCredentialRequestOptionsJSON (your passkeys in allowCredentials) for startAuthentication({ optionsJSON }).';

/**
 * The payload type of a mutation that begins a WebAuthn ceremony (registration, a second factor, a
 * step-up): one shape under the name each mutation's payload has in the schema.
 */
export function webauthnOptionsPayload(name: string, optionsDescription: string = requestOptions) {
  return builder.objectRef<WebAuthnOptionsShape>(name).implement({
    fields: (t) => ({
      options: t.field({
        type: 'JSON',
        nullable: true,
        description: optionsDescription,
        resolve: (p) => p.options ?? null,
      }),
      expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.expiresAt ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });
}
