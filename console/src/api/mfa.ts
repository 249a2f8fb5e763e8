import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/** The documents of multi-factor authentication: your authenticator app and recovery codes. */
export const MyFactorsQuery = graphql(`
  query MyFactors {
    viewer {
      id
      email
      mfaFactors {
        id
        kind
        name
        createdAt
        lastUsedAt
      }
      recoveryCodesRemaining
    }
  }
`);

export const BeginTotpEnrolment = graphql(
  `
    mutation BeginTotpEnrolment {
      beginTotpEnrolment {
        otpauthUri
        secret
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const ConfirmTotpEnrolment = graphql(
  `
    mutation ConfirmTotpEnrolment($input: ConfirmTotpEnrolmentInput!) {
      confirmTotpEnrolment(input: $input) {
        factor {
          id
        }
        recoveryCodes
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RemoveTotpFactor = graphql(
  `
    mutation RemoveTotpFactor($input: RemoveTotpFactorInput!) {
      removeTotpFactor(input: $input) {
        ok
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RegenerateRecoveryCodes = graphql(
  `
    mutation RegenerateRecoveryCodes {
      regenerateRecoveryCodes {
        recoveryCodes
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const CompleteSignIn = graphql(
  `
    mutation CompleteSignIn($input: CompleteSignInInput!) {
      completeSignIn(input: $input) {
        accessToken
        refreshToken
        expiresAt
        mfaEnrolmentRequired
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** Options for the second step with a passkey, bound to the sign-in's MFA challenge. */
export const BeginSecondFactorPasskey = graphql(
  `
    mutation BeginSecondFactorPasskey($input: BeginSecondFactorPasskeyInput!) {
      beginSecondFactorPasskey(input: $input) {
        options
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
