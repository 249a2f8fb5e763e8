import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

export const SessionsQuery = graphql(`
  query Sessions($userId: ID) {
    sessions(userId: $userId) {
      id
      current
      userAgent
      ip
      authMethod
      authenticationMethods
      assuranceLevel
      authenticatedAt
      createdAt
      lastSeenAt
      idleExpiresAt
      absoluteExpiresAt
      revokedAt
    }
  }
`);

export const RevokeUserSessions = graphql(
  `
    mutation RevokeUserSessions($input: RevokeUserSessionsInput!) {
      revokeUserSessions(input: $input) {
        revokedCount
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
