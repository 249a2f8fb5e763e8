import { graphql } from '../graphql';
import { ApiError } from './errors';
import { UserErrorFields } from './user-errors';

/** The documents of passkeys: your own list, adding, renaming, removing, and passwordless sign-in. */
export const MyPasskeys = graphql(`
  query MyPasskeys {
    myPasskeys {
      id
      name
      createdAt
      lastUsedAt
      backedUp
    }
  }
`);

export const BeginPasskeyRegistration = graphql(
  `
    mutation BeginPasskeyRegistration {
      beginPasskeyRegistration {
        options
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const FinishPasskeyRegistration = graphql(
  `
    mutation FinishPasskeyRegistration($input: FinishPasskeyRegistrationInput!) {
      finishPasskeyRegistration(input: $input) {
        passkey {
          id
          name
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RenamePasskey = graphql(
  `
    mutation RenamePasskey($input: RenamePasskeyInput!) {
      renamePasskey(input: $input) {
        passkey {
          id
          name
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RemovePasskey = graphql(
  `
    mutation RemovePasskey($input: RemovePasskeyInput!) {
      removePasskey(input: $input) {
        removedId
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const BeginPasskeySignIn = graphql(
  `
    mutation BeginPasskeySignIn {
      beginPasskeySignIn {
        ceremonyId
        options
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const FinishPasskeySignIn = graphql(
  `
    mutation FinishPasskeySignIn($input: FinishPasskeySignInInput!) {
      finishPasskeySignIn(input: $input) {
        accessToken
        refreshToken
        expiresAt
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** What the browser's WebAuthn call threw, in words (cancelled, timed out, not allowed here). */
export function passkeyBrowserError(err: unknown): ApiError {
  const name = err instanceof Error ? err.name : '';
  const message =
    name === 'InvalidStateError'
      ? 'This passkey is already registered for your account.'
      : name === 'NotAllowedError' || name === 'AbortError'
        ? 'The passkey request was cancelled or timed out.'
        : 'This browser could not use a passkey here.';
  return new ApiError([{ code: 'PASSKEY_BROWSER', message }]);
}
