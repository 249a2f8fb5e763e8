import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/** The documents of API credentials: the organisation's SCIM tokens and your personal API tokens. */
export const ScimTokensQuery = graphql(`
  query ScimTokens {
    scimTokens {
      id
      name
      scopes
      maxRole
      createdAt
      expiresAt
      rotatedAt
      revokedAt
      lastUsedAt
      lastUsedIp
      live
    }
    roles {
      key
      name
    }
  }
`);

export const CreateScimToken = graphql(
  `
    mutation CreateScimToken($input: CreateScimTokenInput!) {
      createScimToken(input: $input) {
        secret
        token {
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

export const RotateScimToken = graphql(
  `
    mutation RotateScimToken($input: RotateScimTokenInput!) {
      rotateScimToken(input: $input) {
        secret
        token {
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

export const RevokeScimToken = graphql(
  `
    mutation RevokeScimToken($input: RevokeApiCredentialInput!) {
      revokeScimToken(input: $input) {
        token {
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

export const MyPersonalApiTokens = graphql(`
  query MyPersonalApiTokens {
    myPersonalApiTokens {
      id
      name
      permissions
      createdAt
      expiresAt
      revokedAt
      lastUsedAt
      live
    }
  }
`);

export const CreatePersonalApiToken = graphql(
  `
    mutation CreatePersonalApiToken($input: CreatePersonalApiTokenInput!) {
      createPersonalApiToken(input: $input) {
        secret
        token {
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

export const RevokePersonalApiToken = graphql(
  `
    mutation RevokePersonalApiToken($input: RevokeApiCredentialInput!) {
      revokePersonalApiToken(input: $input) {
        token {
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
