import { isDomainError, type ErrorCode } from '../../domain/errors.js';
import { ScimFilterError } from './filter/index.js';

export const scimErrorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 Table 9, the `scimType`s a 400 (or 409, 413) may carry. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** An answer of the SCIM edge that is not a resource: status, optional scimType, a detail safe to show. */
export class ScimError extends Error {
  override readonly name = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
    /** Seconds, for 429 (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }
}

export interface ScimErrorBody {
  schemas: [typeof scimErrorSchema];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** The body RFC 7644 §3.12 prescribes: `status` is a string. */
export function scimErrorBody(e: ScimError): ScimErrorBody {
  return {
    schemas: [scimErrorSchema],
    status: String(e.status),
    ...(e.scimType ? { scimType: e.scimType } : {}),
    detail: e.message,
  };
}

/** Domain error codes by what SCIM answers them with; codes not here are a 400 `invalidValue`. */
const statusOfCode: Partial<Record<ErrorCode, [number, ScimType | undefined]>> = {
  API_TOKEN_INVALID: [401, undefined],
  UNAUTHENTICATED: [401, undefined],
  FORBIDDEN: [403, undefined],
  NOT_FOUND: [404, undefined],
  EMAIL_TAKEN: [409, 'uniqueness'],
  EXTERNAL_ID_TAKEN: [409, 'uniqueness'],
  LAST_OWNER: [409, undefined],
  DEPARTMENT_NOT_EMPTY: [409, undefined],
  DEPARTMENT_PERMISSION_NOT_HELD: [403, undefined],
  PERMISSION_NOT_HELD: [403, undefined],
  VERSION_CONFLICT: [412, undefined],
  RATE_LIMITED: [429, undefined],
};

/**
 * What the SCIM edge answers for an error thrown below it: SCIM errors as they are, refused filters and
 * paths as 400 with their scimType, domain errors by code (their messages are safe by construction);
 * anything else is null — the caller logs it and answers a bare 500.
 */
export function scimErrorOf(err: unknown): ScimError | null {
  if (err instanceof ScimError) return err;
  if (err instanceof ScimFilterError) return new ScimError(400, err.scimType, err.message);
  if (isDomainError(err)) {
    const [status, scimType] = statusOfCode[err.code] ?? [400, 'invalidValue'];
    const retry = err.details?.retryAfterSeconds;
    return new ScimError(status, scimType, err.message, typeof retry === 'number' ? retry : undefined);
  }
  return null;
}
