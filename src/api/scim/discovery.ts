import { coreGroupSchema, coreUserSchema, enterpriseUserSchema } from './filter/index.js';
import { bulkLimits } from './bulk.js';
import { scimListLimits } from './users-query.js';

/** RFC 7643 §5-§7: what this service provider supports — exactly, so a client can rely on it. */

const listResponse = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    // POST, PUT, PATCH (RFC 7644 §3.5.2) and DELETE of Users and Groups, alone or in a /Bulk request.
    patch: { supported: true },
    bulk: { supported: true, ...bulkLimits },
    filter: { supported: true, maxResults: scimListLimits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'A SCIM token of the organisation (rst_scim_…), issued in the console under API credentials, sent as `Authorization: Bearer`.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person of the organisation',
      schema: coreUserSchema,
      schemaExtensions: [{ schema: enterpriseUserSchema, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A department of the organisation',
      schema: coreGroupSchema,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

export type SchemaAttribute = Attr;

type Attr = {
  name: string;
  type: 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex';
  multiValued?: boolean;
  description: string;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  referenceTypes?: string[];
  subAttributes?: Attr[];
};

/** Fills in RFC 7643 §7's defaults, so every attribute states every characteristic. */
function attr(
  a: Attr,
): Required<Omit<Attr, 'subAttributes' | 'referenceTypes'>> & Pick<Attr, 'subAttributes' | 'referenceTypes'> {
  return {
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...a,
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
  };
}

/** The core User schema's attributes as `/Schemas` states them; the writes read their kinds from here too. */
export const userAttributes: Attr[] = [
  {
    name: 'userName',
    type: 'string',
    required: true,
    uniqueness: 'server',
    description:
      "The person's email address, with which they sign in; unique in the organisation. A new value moves the sign-in address.",
  },
  {
    name: 'name',
    type: 'complex',
    description: "The person's name.",
    subAttributes: [
      {
        name: 'formatted',
        type: 'string',
        description: 'The full name as displayed (the same as displayName).',
      },
      { name: 'familyName', type: 'string', description: 'Family name.' },
      { name: 'givenName', type: 'string', description: 'Given name.' },
    ],
  },
  { name: 'displayName', type: 'string', description: 'The name shown in Roster.' },
  { name: 'title', type: 'string', description: 'Job title.' },
  { name: 'active', type: 'boolean', description: 'false while suspended or deactivated.' },
  {
    name: 'emails',
    type: 'complex',
    multiValued: true,
    description: 'Exactly one: the work address, which is also userName.',
    subAttributes: [
      { name: 'value', type: 'string', description: 'The address.' },
      { name: 'type', type: 'string', description: 'Always "work".' },
      { name: 'primary', type: 'boolean', description: 'Always true.' },
    ],
  },
  {
    name: 'roles',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description: "The person's Roster role (one value).",
    subAttributes: [
      {
        name: 'value',
        type: 'string',
        mutability: 'readOnly',
        description: 'The role key, e.g. user_manager.',
      },
      { name: 'primary', type: 'boolean', mutability: 'readOnly', description: 'Always true.' },
    ],
  },
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description:
      'The departments the person is a member of (direct memberships, archived departments left out).',
    subAttributes: [
      { name: 'value', type: 'string', mutability: 'readOnly', description: "The department's id." },
      {
        name: '$ref',
        type: 'reference',
        referenceTypes: ['Group'],
        mutability: 'readOnly',
        description: 'The Group URI.',
      },
      { name: 'display', type: 'string', mutability: 'readOnly', description: "The department's name." },
      { name: 'type', type: 'string', mutability: 'readOnly', description: 'Always "direct".' },
    ],
  },
];

const groupAttributes: Attr[] = [
  {
    name: 'displayName',
    type: 'string',
    required: true,
    description: "The department's name.",
  },
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    description:
      "The department's members (primary or secondary; deactivated people left out). Changed in batches of 1,000 people per transaction.",
    subAttributes: [
      { name: 'value', type: 'string', mutability: 'immutable', description: "The member's User id." },
      {
        name: '$ref',
        type: 'reference',
        referenceTypes: ['User'],
        mutability: 'immutable',
        description: "The member's URI.",
      },
      { name: 'display', type: 'string', mutability: 'readOnly', description: "The member's name." },
      { name: 'type', type: 'string', mutability: 'immutable', description: 'Always "User".' },
    ],
  },
];

export const enterpriseAttributes: Attr[] = [
  { name: 'employeeNumber', type: 'string', description: 'Employee number, as the HR system has it.' },
  { name: 'costCenter', type: 'string', description: 'Cost center.' },
  { name: 'organization', type: 'string', description: 'Organization.' },
  { name: 'division', type: 'string', description: 'Division.' },
  {
    name: 'department',
    type: 'string',
    description: "Department as free text (Roster's departments are Groups).",
  },
  {
    name: 'manager',
    type: 'complex',
    description: "The person's manager, a User of the same organisation.",
    subAttributes: [
      { name: 'value', type: 'string', description: "The manager's id." },
      {
        name: '$ref',
        type: 'reference',
        referenceTypes: ['User'],
        mutability: 'readOnly',
        description: "The manager's URI.",
      },
      {
        name: 'displayName',
        type: 'string',
        mutability: 'readOnly',
        description: "The manager's name: not kept (read it from the manager's own User).",
      },
    ],
  },
];

export function schemas(baseUrl: string) {
  const schema = (id: string, name: string, description: string, attributes: Attr[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    description,
    attributes: attributes.map(attr),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` },
  });
  return [
    // id, externalId and meta are common attributes (RFC 7643 §3.1), not part of any schema's list.
    schema(coreUserSchema, 'User', 'User Account', userAttributes),
    schema(enterpriseUserSchema, 'EnterpriseUser', 'Enterprise User', enterpriseAttributes),
    schema(coreGroupSchema, 'Group', 'Group: a department', groupAttributes),
  ];
}

/** One page of a query as a ListResponse (RFC 7644 §3.4.2), `startIndex` 1-based as the request gave it. */
export function listResponseOf(r: { startIndex: number }, totalResults: number, resources: unknown[]) {
  return {
    schemas: [listResponse],
    totalResults,
    startIndex: r.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** A list of discovery resources as RFC 7644 §4 answers them (a ListResponse, all on one page). */
export function discoveryList(resources: unknown[]) {
  return listResponseOf({ startIndex: 1 }, resources.length, resources);
}
