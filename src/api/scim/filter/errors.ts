/** RFC 7644 §3.12 scimType of a refused filter (`invalidFilter`) or PATCH path (`invalidPath`). */
export type ScimFilterErrorType = 'invalidFilter' | 'invalidPath';

/**
 * A filter or path the service refuses: bad syntax (with the 0-based character position), too large, or an
 * attribute / operator / value combination the User schema does not support. The SCIM edge answers it with
 * 400 and this `scimType`; the message is safe to show the client (it quotes nothing but the client's input).
 */
export class ScimFilterError extends Error {
  override readonly name = 'ScimFilterError';
  constructor(
    readonly scimType: ScimFilterErrorType,
    message: string,
    /** Where in the input the problem was found; absent for errors about meaning, not syntax. */
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} at position ${position}`);
  }
}
