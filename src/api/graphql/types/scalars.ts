import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.js';

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string with time zone (e.g. 2026-05-01T09:30:00Z).',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: (value) => {
    if (typeof value !== 'string' || value.length > 40 || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError('DateTime must be an ISO 8601 string.', {
        extensions: { code: 'VALIDATION_FAILED' },
      });
    }
    return new Date(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value))) {
      throw new GraphQLError('DateTime must be an ISO 8601 string.', {
        extensions: { code: 'VALIDATION_FAILED' },
      });
    }
    return new Date(ast.value);
  },
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON (custom attributes, before/after values of audit events).',
  serialize: (value) => value,
  parseValue: (value) => value,
});
