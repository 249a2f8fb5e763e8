/** The parameters of one GraphQL-over-HTTP request, checked; or why the request is malformed. */
export type GraphQLParams =
  | {
      ok: true;
      query: string;
      operationName: string | undefined;
      variables: Record<string, unknown> | undefined;
    }
  | { ok: false; message: string };

type Raw = Record<string, unknown>;

const bad = (message: string): GraphQLParams => ({ ok: false, message });

const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST: the JSON body (or `{ query }` from an application/graphql body). GET: the URL's parameters, with
 * `variables` and `extensions` as JSON text. Anything else than the spec's shapes (a missing or empty
 * query, a non-string, a repeated parameter, JSON that does not parse or is not a map) is malformed:
 * the caller answers 400, never 500.
 */
export function readGraphQLParams(method: string, body: unknown, query: unknown): GraphQLParams {
  if (method === 'GET') {
    if (!isMap(query)) return bad('The request has no parameters.');
    const variables = fromJson(query.variables, 'variables');
    if ('error' in variables) return bad(variables.error);
    const extensions = fromJson(query.extensions, 'extensions');
    if ('error' in extensions) return bad(extensions.error);
    return check({ ...query, variables: variables.value, extensions: extensions.value });
  }
  if (!isMap(body)) return bad('The request body must be a JSON object with a `query`.');
  return check(body);
}

function check(p: Raw): GraphQLParams {
  const { query, operationName, variables, extensions } = p;
  if (typeof query !== 'string' || query.trim() === '')
    return bad('The `query` parameter must be a non-empty string.');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return bad('The `operationName` parameter must be a string.');
  if (variables !== undefined && variables !== null && !isMap(variables))
    return bad('The `variables` parameter must be a map.');
  if (extensions !== undefined && extensions !== null && !isMap(extensions))
    return bad('The `extensions` parameter must be a map.');
  if (isMap(extensions) && extensions.persistedQuery !== undefined)
    return bad('Persisted queries are not supported.');
  return {
    ok: true,
    query,
    operationName: typeof operationName === 'string' && operationName !== '' ? operationName : undefined,
    variables: isMap(variables) ? variables : undefined,
  };
}

/** A GET parameter holding JSON: its parsed value (undefined when absent), or why it is malformed. */
function fromJson(value: unknown, name: string): { value: unknown } | { error: string } {
  if (value === undefined) return { value: undefined };
  if (typeof value !== 'string') return { error: `The \`${name}\` parameter must appear once.` };
  try {
    return { value: JSON.parse(value) as unknown };
  } catch {
    return { error: `The \`${name}\` parameter is not valid JSON.` };
  }
}
