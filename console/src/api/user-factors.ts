import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/**
 * An administrator's view of a person's second factors (authenticator app, each passkey, the recovery
 * codes as one entry) and the resets: one factor, or all. FORBIDDEN without `security:manage` over them.
 */
export const UserFactorsQuery = graphql(`
  query UserFactors($id: ID!) {
    userFactors(userId: $id) {
      kind
      id
      name
      createdAt
      lastUsedAt
      recoveryCodes {
        left
        total
      }
    }
  }
`);

export const ResetUserFactor = graphql(
  `
    mutation ResetUserFactor($input: ResetUserFactorInput!) {
      resetUserFactor(input: $input) {
        user {
          id
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const ResetUserFactors = graphql(
  `
    mutation ResetUserFactors($input: ResetUserFactorsInput!) {
      resetUserFactors(input: $input) {
        user {
          id
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
