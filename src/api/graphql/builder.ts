import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.queryType({ description: 'Reads. Every field checks the viewer’s permissions.' });
builder.mutationType({
  description:
    'Changes. Each returns a payload whose `userErrors` carry stable codes; nothing is half-applied.',
});
