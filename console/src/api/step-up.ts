import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/** Step-up: confirm who you are again, for actions that answer REAUTHENTICATION_REQUIRED. */
export const Reauthenticate = graphql(
  `
    mutation Reauthenticate($input: ReauthenticateInput!) {
      reauthenticate(input: $input) {
        accessToken
        expiresAt
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** What the person can confirm with besides the password: an authenticator app, passkeys. */
export const StepUpMethods = graphql(`
  query StepUpMethods {
    viewer {
      id
      mfaFactors {
        kind
      }
    }
    myPasskeys {
      id
    }
  }
`);

/** Step-up with a passkey: options bound to this session, for `reauthenticate(passkeyAssertion)`. */
export const BeginReauthenticationPasskey = graphql(
  `
    mutation BeginReauthenticationPasskey {
      beginReauthenticationPasskey {
        options
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
