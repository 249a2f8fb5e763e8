import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/** The documents of passwords: change your own, forgot / reset by emailed link, an administrator's link. */
export const ChangeMyPassword = graphql(
  `
    mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {
      changeMyPassword(input: $input) {
        endedSessions
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RequestPasswordReset = graphql(
  `
    mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
      requestPasswordReset(input: $input) {
        ok
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const PasswordResetPreview = graphql(`
  query PasswordResetPreview($token: String!) {
    passwordResetPreview(token: $token) {
      email
      displayName
      organizationName
      organizationSlug
      expiresAt
      minPasswordLength
    }
  }
`);

export const CompletePasswordReset = graphql(
  `
    mutation CompletePasswordReset($input: CompletePasswordResetInput!) {
      completePasswordReset(input: $input) {
        email
        organization
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const SendPasswordReset = graphql(
  `
    mutation SendPasswordReset($input: SendPasswordResetInput!) {
      sendPasswordReset(input: $input) {
        expiresAt
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
