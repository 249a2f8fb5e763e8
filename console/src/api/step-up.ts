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
