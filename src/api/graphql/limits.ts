import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** Bounds on one GraphQL document (security.md: depth, alias and cost limits). */
export const graphqlLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 20_000,
  /** Credential-checking fields may appear once per request, so aliases cannot pack guesses. */
  singleUseFields: [
    'signIn',
    'refreshSession',
    'acceptInvitation',
    'invitationPreview',
    'requestPasswordReset',
    'passwordResetPreview',
    'completePasswordReset',
    'changeMyPassword',
    // MFA (security/mfa-totp): each checks a code or password
    'completeSignIn',
    'removeTotpFactor',
    'finishPasskeySignIn',
    'reauthenticate',
    // anonymous ceremonies that write a challenge row (beginPasskeySignIn is also throttled per source)
    'beginPasskeySignIn',
    'beginSecondFactorPasskey',
  ],
  /**
   * Longest document text. The console's largest document is about 1 KB (UserDetail, 100 tokens; the test
   * document-limits.test.ts measures every document in console/src), graphql-js' standard introspection
   * query about 2 KB: 32 KB leaves a wide margin without letting one request cost megabytes of AST.
   */
  maxQueryLength: 32_768,
  /**
   * Tokens parsed at most (graphql-js `maxTokens`): the console's largest document has 100, the standard
   * introspection query with every option about 200. Parsing and validating 1,000 tokens takes ~10 ms.
   */
  maxTokens: 1_000,
  /**
   * Total length of the document texts kept parsed, validated and compiled (LRU). Measured: a document
   * dense with tokens costs up to ~37 bytes of heap per character of text (an ordinary one far less), so
   * 512 Ki characters stay under ~20 MB even when an attacker fills the cache with maximum-size
   * documents, while holding some 500 ordinary ones (the console has 45, each under 1 KB).
   */
  maxCachedDocumentLength: 524_288,
} as const;

/** Root fields of introspection: their subtrees (`ofType` nests 9 levels in the standard query) are not
 * counted for depth or cost while introspection is on; graphql-js' MaxIntrospectionDepthRule bounds them. */
const introspectionRoots = new Set(['__schema', '__type']);

const limitError = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'TOO_MANY_OPERATIONS' } });

/** Refuses documents with more than `max` aliases. */
export function aliasLimitRule(max: number = graphqlLimits.maxAliases) {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias && ++count === max + 1)
          context.reportError(limitError(`At most ${max} aliases are allowed.`));
      },
    };
  };
}

/** Refuses documents that use a credential-checking field more than once. */
export function singleUseFieldRule(names: readonly string[] = graphqlLimits.singleUseFields) {
  return (context: ValidationContext): ASTVisitor => {
    const seen = new Map<string, number>();
    return {
      Field(node) {
        const name = node.name.value;
        if (!names.includes(name)) return;
        const n = (seen.get(name) ?? 0) + 1;
        seen.set(name, n);
        if (n === 2) context.reportError(limitError(`${name} may appear only once per request.`));
      },
    };
  };
}

/** Page sizes given by a variable are costed at the largest page a list field accepts. */
export const maxPageSize = 100;

function pageSize(field: FieldNode): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  if (!arg) return undefined;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  return maxPageSize;
}

/**
 * A static cost: each field costs 1, multiplied by the page size (`first`) of every paginated field above
 * it. Refuses documents over `max`, and documents nested deeper than `maxDepth`. With `introspection` on,
 * the `__schema` and `__type` subtrees count as one field each (GraphiQL and codegen tools send the
 * standard introspection query, 13 levels deep); off, NoSchemaIntrospectionCustomRule refuses them.
 */
export function costLimitRule(
  max: number = graphqlLimits.maxCost,
  maxDepth: number = graphqlLimits.maxDepth,
  options: { introspection?: boolean } = {},
) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const cost = (set: SelectionSetNode, multiplier: number, depth: number, seen: Set<string>): number => {
      if (depth > maxDepth) return Number.POSITIVE_INFINITY;
      let total = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          total += multiplier;
          if (options.introspection && introspectionRoots.has(sel.name.value)) continue;
          if (sel.selectionSet) {
            const first = pageSize(sel);
            total += cost(sel.selectionSet, multiplier * Math.max(1, first ?? 1), depth + 1, seen);
          }
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          total += cost(sel.selectionSet, multiplier, depth, seen);
        } else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (frag && !seen.has(name))
            total += cost(frag.selectionSet, multiplier, depth, new Set([...seen, name]));
        }
        if (total > max) return total;
      }
      return total;
    };
    return {
      OperationDefinition(node) {
        const c = cost(node.selectionSet, 1, 1, new Set());
        if (c === Number.POSITIVE_INFINITY)
          context.reportError(limitError(`Queries may nest at most ${maxDepth} levels.`));
        else if (c > max)
          context.reportError(limitError(`The query is too expensive (cost ${c}, limit ${max}).`));
      },
    };
  };
}
