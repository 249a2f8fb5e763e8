import type { CommandContext } from '../../domain/shared/context.js';
import { isObject } from './patch-request.js';
import { ScimError, scimErrorBody, scimErrorOf } from './scim-error.js';
import type { ResourceKind, WriteMethod, WriteOperation } from './write-operations.js';

export const bulkRequestSchema = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const bulkResponseSchema = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** What ServiceProviderConfig states (RFC 7643 §5): operations per request, and the body limit in bytes. */
export const bulkLimits = { maxOperations: 1000, maxPayloadSize: 1_048_576 } as const;

export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

const bulkIdPrefix = 'bulkId:';

/**
 * A /Bulk request (RFC 7644 §3.7): its operations run in order, each one write of `writes` (the same
 * operations the HTTP routes answer, so the same domain commands, checks and audit) and each its own
 * transaction: a failed operation is reported and the others stand. `failOnErrors` stops after that many
 * errors (what is left is not run and not reported). A POST names a `bulkId`; a later operation refers to
 * what it created as `bulkId:<id>`, in its path (`/Users/bulkId:qwerty`) or anywhere in its data (a Group's
 * `members[].value`, a User's `manager.value`); a reference to no earlier successful POST fails that
 * operation (400 invalidValue), so a circular reference can never resolve. Every operation counts against
 * the token's rate limit like the request it stands for (`charge`); once the limit is reached the bulk
 * stops there with that operation's 429.
 */
export async function runBulk(
  ctx: CommandContext,
  body: unknown,
  writes: Record<ResourceKind, Record<WriteMethod, WriteOperation>>,
  charge: () => void,
  onUnexpected: (err: unknown) => void,
): Promise<{ schemas: [typeof bulkResponseSchema]; Operations: BulkOperationResult[] }> {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(bulkRequestSchema)) {
    throw new ScimError(400, 'invalidSyntax', `A bulk request names the schema ${bulkRequestSchema}.`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) {
    throw new ScimError(400, 'invalidSyntax', 'Operations is a non-empty array.');
  }
  if (ops.length > bulkLimits.maxOperations) {
    throw new ScimError(413, 'tooMany', `At most ${bulkLimits.maxOperations} operations per bulk request.`);
  }
  const failOnErrors = body.failOnErrors;
  if (
    failOnErrors !== undefined &&
    failOnErrors !== null &&
    (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)
  ) {
    throw new ScimError(400, 'invalidValue', 'failOnErrors is an integer of at least 1.');
  }
  const created = new Map<string, string>();
  const seenBulkIds = new Set<string>();
  const results: BulkOperationResult[] = [];
  let errors = 0;
  for (const raw of ops as unknown[]) {
    if (typeof failOnErrors === 'number' && errors >= failOnErrors) break;
    const op = isObject(raw) ? raw : {};
    const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
    const bulkId = typeof op.bulkId === 'string' ? op.bulkId : undefined;
    const result: Omit<BulkOperationResult, 'status'> = {
      method: method || String(op.method ?? ''),
      ...(bulkId ? { bulkId } : {}),
    };
    try {
      if (!isObject(raw)) throw new ScimError(400, 'invalidSyntax', 'Each operation is an object.');
      const { kind, id } = targetOf(method, op.path, created);
      if (method === 'POST') {
        if (!bulkId) throw new ScimError(400, 'invalidValue', 'A POST operation names a bulkId.');
        if (seenBulkIds.has(bulkId))
          throw new ScimError(400, 'uniqueness', `bulkId ${bulkId} is used twice.`);
        seenBulkIds.add(bulkId);
      }
      if (op.version !== undefined && typeof op.version !== 'string') {
        throw new ScimError(400, 'invalidValue', 'version is an ETag string.');
      }
      charge();
      const answer = await writes[kind][method as WriteMethod](ctx, {
        ...(id === undefined ? {} : { id }),
        body: resolveReferences(op.data, created),
        ...(typeof op.version === 'string' ? { ifMatch: op.version } : {}),
      });
      if (method === 'POST' && bulkId && answer.resource) created.set(bulkId, answer.resource.id);
      const location = answer.location ?? (id === undefined ? undefined : `/${kind}/${id}`);
      results.push({
        ...result,
        ...(location ? { location } : {}),
        ...(answer.etag ? { version: answer.etag } : {}),
        status: String(answer.status),
      });
    } catch (err) {
      let e = scimErrorOf(err);
      if (!e) {
        onUnexpected(err);
        e = new ScimError(500, undefined, 'Internal error.');
      }
      errors += 1;
      results.push({ ...result, status: String(e.status), response: scimErrorBody(e) });
      if (e.status === 429) break;
    }
  }
  return { schemas: [bulkResponseSchema], Operations: results };
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The resource type and id an operation's path names; `bulkId:…` in the id is what that POST created. */
function targetOf(
  method: string,
  path: unknown,
  created: ReadonlyMap<string, string>,
): { kind: ResourceKind; id?: string } {
  if (!writeMethods.has(method)) {
    throw new ScimError(400, 'invalidSyntax', 'method is POST, PUT, PATCH or DELETE.');
  }
  if (typeof path !== 'string') throw new ScimError(400, 'invalidPath', 'path is a string such as "/Users".');
  const m = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
  if (!m) throw new ScimError(400, 'invalidPath', 'path is /Users, /Groups, or one of their resources.');
  const kind = m[1] as ResourceKind;
  const given = m[2];
  if (method === 'POST') {
    if (given !== undefined) throw new ScimError(400, 'invalidPath', 'A POST names the resource type only.');
    return { kind };
  }
  if (given === undefined) throw new ScimError(400, 'invalidPath', `A ${method} names one resource.`);
  return { kind, id: resolveId(decodeURIComponent(given), created) };
}

function resolveId(value: string, created: ReadonlyMap<string, string>): string {
  if (!value.startsWith(bulkIdPrefix)) return value;
  const id = created.get(value.slice(bulkIdPrefix.length));
  if (id === undefined) {
    throw new ScimError(400, 'invalidValue', `${value} names no resource an earlier operation created.`);
  }
  return id;
}

/** How deep an operation's data may nest (a SCIM resource nests 3 levels; deeper is refused, not recursed). */
const maxDataDepth = 16;

/** The operation's data with every `bulkId:…` string replaced by the id it stands for. Pure. */
function resolveReferences(data: unknown, created: ReadonlyMap<string, string>, depth = 0): unknown {
  if (depth > maxDataDepth) throw new ScimError(400, 'invalidValue', 'The data nests too deeply.');
  if (typeof data === 'string') return resolveId(data, created);
  if (Array.isArray(data)) return data.map((d) => resolveReferences(d, created, depth + 1));
  if (isObject(data)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = resolveReferences(v, created, depth + 1);
    return out;
  }
  return data;
}
