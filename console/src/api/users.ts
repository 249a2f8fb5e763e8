import { graphql, type ResultOf } from '../graphql';
import { UserErrorFields } from './user-errors';

export const UserDetailQuery = graphql(`
  query UserDetail($id: ID!, $withDepartments: Boolean!, $withInvitation: Boolean!) {
    user(id: $id) {
      id
      email
      displayName
      jobTitle
      phone
      locale
      timeZone
      role
      status
      statusReason
      statusChangedAt
      suspendedUntil
      createdAt
      activatedAt
      lastLoginAt
      lastActiveAt
      attributes
      version
      signInLock {
        locked
        failedAttempts
        lockedUntil
        untilUnlocked
        lastFailureAt
      }
      viewerCan {
        changeRole
        deactivate
        reactivate
        resendInvitation
        revokeInvitation
        revokeSessions
        suspend
        unlock
        setDepartments
        updateProfile
        sendPasswordReset
      }
      departments @include(if: $withDepartments) {
        isPrimary
        department {
          id
          name
        }
      }
      invitation @include(if: $withInvitation) {
        id
        status
        role
        message
        createdAt
        expiresAt
        acceptedAt
        timeToAcceptSeconds
        invitedBy {
          id
          displayName
          email
        }
      }
    }
  }
`);

export type UserDetail = NonNullable<ResultOf<typeof UserDetailQuery>['user']>;

export const SuspendUser = graphql(
  `
    mutation SuspendUser($input: SuspendUserInput!) {
      suspendUser(input: $input) {
        user {
          id
          status
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const ReactivateUser = graphql(
  `
    mutation ReactivateUser($input: ReactivateUserInput!) {
      reactivateUser(input: $input) {
        user {
          id
          status
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const DeactivateUser = graphql(
  `
    mutation DeactivateUser($input: DeactivateUserInput!) {
      deactivateUser(input: $input) {
        user {
          id
          status
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const ChangeUserRole = graphql(
  `
    mutation ChangeUserRole($input: ChangeUserRoleInput!) {
      changeUserRole(input: $input) {
        user {
          id
          role
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const CompareRoles = graphql(`
  query CompareRoles($from: RoleKey!, $to: RoleKey!) {
    compareRoles(from: $from, to: $to) {
      gained {
        name
        description
      }
      lost {
        name
        description
      }
      kept {
        name
        description
      }
    }
  }
`);

export const ResendInvitation = graphql(
  `
    mutation ResendInvitation($input: ResendInvitationInput!) {
      resendInvitation(input: $input) {
        invitation {
          acceptLink
          invitation {
            id
            expiresAt
          }
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const RevokeInvitation = graphql(
  `
    mutation RevokeInvitation($input: RevokeInvitationInput!) {
      revokeInvitation(input: $input) {
        invitation {
          id
          status
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);
