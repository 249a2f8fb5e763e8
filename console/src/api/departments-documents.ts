import { graphql, type ResultOf } from '../graphql';
import { UserErrorFields } from './user-errors';

/** The tree as a flat list, parents before children (a department manager gets the subtrees they manage). */
export const DepartmentsTreeQuery = graphql(`
  query DepartmentsTree {
    departments {
      id
      name
      code
      parentId
      depth
      costCentre
      monthlyCostPerSeat
      version
    }
  }
`);

export type TreeDepartment = ResultOf<typeof DepartmentsTreeQuery>['departments'][number];

/** What the tree page shows beside the selected department. */
export const DepartmentSummaryQuery = graphql(`
  query DepartmentSummary($id: ID!) {
    department(id: $id) {
      id
      name
      code
      description
      scimRole
      directMembers: memberCount
      subtreeMembers: memberCount(includeSubtree: true)
      managers {
        id
        displayName
        email
      }
      viewerCan {
        update
        createChild
        move
        archive
        setManagers
        setPermissions
        placeMembers
        inviteMembers
      }
    }
  }
`);

export const DepartmentDetailQuery = graphql(`
  query DepartmentDetail($id: ID!) {
    department(id: $id) {
      id
      name
      code
      description
      parentId
      depth
      costCentre
      monthlyCostPerSeat
      scimRole
      archivedAt
      createdAt
      updatedAt
      version
      ancestors {
        id
        name
        costCentre
        monthlyCostPerSeat
      }
      children {
        id
        name
        code
      }
      managers {
        id
        displayName
        email
        status
      }
      directMembers: memberCount
      subtreeMembers: memberCount(includeSubtree: true)
      addedPermissions {
        name
        description
      }
      managerPermissions {
        name
        description
      }
      managerPermissionsAreDefault
      viewerCan {
        update
        createChild
        move
        archive
        setManagers
        setPermissions
        placeMembers
        inviteMembers
      }
    }
  }
`);

export type DepartmentDetail = NonNullable<ResultOf<typeof DepartmentDetailQuery>['department']>;

export const CreateDepartment = graphql(
  `
    mutation CreateDepartment($input: CreateDepartmentInput!) {
      createDepartment(input: $input) {
        department {
          id
          name
          parentId
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

export const UpdateDepartment = graphql(
  `
    mutation UpdateDepartment($input: UpdateDepartmentInput!) {
      updateDepartment(input: $input) {
        department {
          id
          name
          parentId
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

export const MoveDepartment = graphql(
  `
    mutation MoveDepartment($input: MoveDepartmentInput!) {
      moveDepartment(input: $input) {
        department {
          id
          name
          parentId
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

export const ArchiveDepartment = graphql(
  `
    mutation ArchiveDepartment($input: ArchiveDepartmentInput!) {
      archiveDepartment(input: $input) {
        department {
          id
          name
          archivedAt
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const SetDepartmentManagers = graphql(
  `
    mutation SetDepartmentManagers($input: SetDepartmentManagersInput!) {
      setDepartmentManagers(input: $input) {
        department {
          id
          managers {
            id
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

/** People who may be named managers: active or invited users matching the typed text. */
export const ManagerCandidatesQuery = graphql(`
  query ManagerCandidates($search: String) {
    users(first: 20, filter: { search: $search, status: [ACTIVE, INVITED] }) {
      nodes {
        id
        displayName
        email
      }
    }
  }
`);

/** A page of a department's members (direct or its whole subtree). */
export const DepartmentMembersQuery = graphql(`
  query DepartmentMembers($first: Int, $after: String, $filter: UserFilter, $orderBy: UserOrder) {
    users(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount {
        value
        exact
      }
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        email
        displayName
        jobTitle
        role
        status
        lastActiveAt
        createdAt
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
