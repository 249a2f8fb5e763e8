import { graphql } from '../graphql';
import { UserErrorFields } from './user-errors';

/** Another user's profile (or one's own), refused when it changed since `expectedVersion`. */
export const EditUserProfile = graphql(
  `
    mutation EditUserProfile($input: UpdateUserProfileInput!) {
      updateUserProfile(input: $input) {
        user {
          id
          version
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** Lift a sign-in lockout (needs `security:manage` over the user: `viewerCan.unlock`). */
export const UnlockUser = graphql(
  `
    mutation UnlockUser($input: UnlockUserInput!) {
      unlockUser(input: $input) {
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

/** Replace a user's primary and secondary departments (the complete placement). */
export const SetUserDepartments = graphql(
  `
    mutation SetUserDepartments($input: SetUserDepartmentsInput!) {
      setUserDepartments(input: $input) {
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

/** Add people to a department, each keeping their other departments; who could not be added comes back in `failed`. */
export const AddDepartmentMembers = graphql(
  `
    mutation AddDepartmentMembers($input: AddDepartmentMembersInput!) {
      addDepartmentMembers(input: $input) {
        addedUserIds
        alreadyMemberUserIds
        failed {
          userId
          error {
            ...UserErrorFields
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

/** People to add to a department: matching users with their current departments. */
export const MemberCandidatesQuery = graphql(`
  query MemberCandidates($search: String) {
    users(first: 20, filter: { search: $search, status: [ACTIVE, INVITED, SUSPENDED] }) {
      nodes {
        id
        displayName
        email
        viewerCan {
          setDepartments
        }
        departments {
          isPrimary
          department {
            id
            name
          }
        }
      }
    }
  }
`);
