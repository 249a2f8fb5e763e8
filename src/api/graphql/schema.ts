import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { refuseNulInArguments } from './refuse-nul.js';
// Each module adds its types and fields to the builder when imported.
import './types/scalars.js';
import './types/enums.js';
import './types/user-error.js';
import './types/user.js';
import './types/role.js';
import './types/viewer.js';
import './types/lifecycle-mutations.js';
import './types/security-mutations.js';
import './types/password-mutations.js';
import './types/invitation.js';
import './types/user-mutations.js';
import './types/audit.js';
import './types/session.js';
import './types/mfa.js';
import './types/mfa-requirement.js';
import './types/users-connection.js';
import './types/outbox.js';
import './types/notification.js';
import './types/department.js';
import './types/department-mutations.js';
import './types/department-access.js';
import './types/effective-permissions.js';
import './types/cost-report.js';
import './types/passkeys.js';
import './types/user-factors.js';
import './types/step-up.js';
import './types/api-credentials.js';

let schema: GraphQLSchema | undefined;

export function graphqlSchema(): GraphQLSchema {
  schema ??= refuseNulInArguments(builder.toSchema({ sortSchema: true }));
  return schema;
}

/** The schema as committed in schema.graphql. */
export function printedSchema(): string {
  return printSchema(lexicographicSortSchema(graphqlSchema()));
}
