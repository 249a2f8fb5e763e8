import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { DomainError } from '../../domain/errors.js';
import { toUserError } from './types/user-error.js';

/**
 * PostgreSQL refuses U+0000 in text and jsonb, so a NUL in any string input (a literal argument, a
 * variable, a nested input object, a list, a JSON value or key) would fail deep in a query as INTERNAL.
 * It is refused here, at the edge, for every field that takes arguments: each such resolver is wrapped
 * once when the schema is built, and looks at its coerced arguments before it runs. A mutation answers in
 * its payload's `userErrors` like every other VALIDATION_FAILED (runMutation's contract); any other field
 * fails with the domain error. No resolver has code of its own for it.
 */
export function refuseNulInArguments(schema: GraphQLSchema): GraphQLSchema {
  const mutationType = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      wrap(field as GraphQLField<unknown, unknown>, type === mutationType && hasUserErrors(field));
    }
  }
  return schema;
}

function hasUserErrors(field: GraphQLField<unknown, unknown>): boolean {
  const payload = getNamedType(field.type);
  return isObjectType(payload) && 'userErrors' in payload.getFields();
}

function wrap(field: GraphQLField<unknown, unknown>, answerInPayload: boolean): void {
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context, info) => {
    const path = nulPath(args as Record<string, unknown>);
    if (path === undefined) return resolve(source, args, context, info);
    // Mutations take one `input`; their userErrors name fields inside it, as the commands' zod paths do.
    const name = answerInPayload && path.startsWith('input.') ? path.slice('input.'.length) : path;
    const err = new DomainError(
      'VALIDATION_FAILED',
      `${name}: must not contain the NUL character (U+0000).`,
      {
        field: name,
      },
    );
    if (answerInPayload) return { userErrors: [toUserError(err)] };
    throw err;
  };
}

/** The path (`input.organization`, `filter.status.0`) of the first string holding U+0000, if any. */
export function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], join(path, String(i)));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    // Coerced input objects and JSON values are plain objects; a Date (DateTime) holds no string.
    if (proto !== Object.prototype && proto !== null) return undefined;
    for (const [key, inner] of Object.entries(value)) {
      // A key with NUL (inside a JSON value) is named by the object that holds it.
      if (key.includes('\0')) return path;
      const found = nulPath(inner, join(path, key));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
