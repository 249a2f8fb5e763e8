import { Kind, type GraphQLResolveInfo } from 'graphql';
import { countUsers, type UserCount } from '../../../domain/users/count-users.js';
import { listUsers, type UserEdge, type UserPage } from '../../../domain/users/list-users.js';
import { sortDirections, type SortDirection, type UserSortField } from '../../../domain/users/user-cursor.js';
import type { UserFilterInput } from '../../../domain/users/user-filter.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { RoleKeyEnum, UserStatusEnum } from './enums.js';
import { UserRef } from './user.js';

const UserOrderFieldEnum = builder.enumType('UserOrderField', {
  description: 'What the user list is sorted by; ties are broken by id, so the order is total.',
  values: {
    NAME: { value: 'NAME', description: 'Display name, then email (case-insensitive).' },
    EMAIL: { value: 'EMAIL' },
    CREATED_AT: { value: 'CREATED_AT' },
    LAST_ACTIVE_AT: { value: 'LAST_ACTIVE_AT', description: 'Users never active come last either way.' },
  } satisfies Record<UserSortField, { value: UserSortField; description?: string }>,
});

/** Shared by any list that sorts both ways. */
export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  values: Object.fromEntries(sortDirections.map((d) => [d, { value: d }])) as Record<
    SortDirection,
    { value: SortDirection }
  >,
});

const UserOrderInput = builder.inputType('UserOrder', {
  fields: (t) => ({
    field: t.field({ type: UserOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'ASC' }),
  }),
});

const UserFilterInput = builder.inputType('UserFilter', {
  description: 'Every part is optional; parts combine with AND. Empty lists do not narrow.',
  fields: (t) => ({
    status: t.field({ type: [UserStatusEnum], description: 'Any of these statuses.' }),
    role: t.field({ type: [RoleKeyEnum], description: 'Any of these roles.' }),
    search: t.string({
      description:
        'Case-insensitive text in the name or email (1 to 100 characters). With a word of 3 or more ' +
        'letters or digits it matches anywhere; shorter terms match the start of the name or the email.',
    }),
    createdAfter: t.field({ type: 'DateTime', description: 'Created at or after this instant.' }),
    createdBefore: t.field({ type: 'DateTime', description: 'Created before this instant.' }),
    lastActiveAfter: t.field({ type: 'DateTime', description: 'Last active at or after this instant.' }),
    lastActiveBefore: t.field({ type: 'DateTime', description: 'Last active before this instant.' }),
    neverSignedIn: t.boolean({ description: 'true: never signed in; false: signed in at least once.' }),
    departmentId: t.id({ description: 'Members (primary or secondary) of this department.' }),
    includeSubtree: t.boolean({ description: 'With departmentId: members of its whole subtree too.' }),
  }),
});

const UserCountRef = builder.objectRef<UserCount>('UserCount').implement({
  description: 'How many users match. With `exact: false` it is an estimate: show it as "about N".',
  fields: (t) => ({
    value: t.exposeInt('value'),
    exact: t.exposeBoolean('exact'),
  }),
});

const UserEdgeRef = builder.objectRef<UserEdge>('UserEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: UserRef, resolve: (e) => e.node }),
  }),
});

/**
 * Whether the query selects `name` directly on this field (fragments are not looked into: a count selected
 * through a fragment is then computed by its own resolver, lazily, at the cost of one more estimate).
 */
function selectsDirectly(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) =>
    node.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name),
  );
}

const UserPageInfoRef = builder.objectRef<UserPage['pageInfo']>('UserPageInfo').implement({
  description:
    'Where a page of users starts and ends. Forward: pass `endCursor` as `after`; backward: ' +
    '`startCursor` as `before` (with `last`). `hasPreviousPage` of a forward page, and `hasNextPage` ' +
    'of a backward one, say only whether a cursor was given: true except at the ends.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
  }),
});

/** The page plus the filter, so counts are computed only when a client selects them. */
interface UserConnectionShape {
  page: UserPage;
  filter: UserFilterInput | null;
}

const UserConnectionRef = builder.objectRef<UserConnectionShape>('UserConnection').implement({
  description: 'A page of users.',
  fields: (t) => ({
    edges: t.field({ type: [UserEdgeRef], resolve: (c) => c.page.edges }),
    nodes: t.field({ type: [UserRef], resolve: (c) => c.page.edges.map((e) => e.node) }),
    pageInfo: t.field({ type: UserPageInfoRef, resolve: (c) => c.page.pageInfo }),
    totalCount: t.field({
      type: UserCountRef,
      description:
        'All matching users, fast: the planner’s estimate (`exact: false`), or exact when it is small ' +
        '(under 1,000), when the page holds the whole result, or when a search read all its matches.',
      resolve: (c, _a, ctx) => c.page.totalCount ?? countUsers(commandContext(ctx), { filter: c.filter }),
    }),
    exactTotalCount: t.int({
      description: 'All matching users, counted exactly. Costs a full count: select only when needed.',
      resolve: async (c, _a, ctx) =>
        c.page.exactCount ?? (await countUsers(commandContext(ctx), { filter: c.filter, exact: true })).value,
    }),
  }),
});

builder.queryFields((t) => ({
  users: t.field({
    type: UserConnectionRef,
    description: 'The organisation’s users, filtered and sorted (default NAME ASC). Requires `users:read`.',
    args: {
      filter: t.arg({ type: UserFilterInput }),
      orderBy: t.arg({ type: UserOrderInput }),
      first: t.arg.int({ description: 'Page size, 1 to 100 (default 50).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page, with the same order.' }),
      last: t.arg.int({
        description: 'Page size read from the end, 1 to 100: the last page, or the page before `before`.',
      }),
      before: t.arg.string({ description: 'The `startCursor` of the next page, with the same order.' }),
    },
    resolve: async (_r, args, ctx, info) => {
      const filter: UserFilterInput | null = args.filter ?? null;
      const page = await listUsers(commandContext(ctx), {
        filter,
        orderBy: args.orderBy
          ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'ASC' }
          : null,
        first: args.first ?? null,
        after: args.after ?? null,
        last: args.last ?? null,
        before: args.before ?? null,
        // Asked with the page when selected, so the estimate that picks the page's plan is reused.
        includeTotalCount: selectsDirectly(info, 'totalCount'),
      });
      return { page, filter };
    },
  }),
}));
