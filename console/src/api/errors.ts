/** One problem reported by the API: a stable code and a message that is safe to show. */
export interface ApiProblem {
  code: string;
  message: string;
  field?: string | null;
  /** The user the problem is about, when the viewer may act on them (e.g. resend their invitation). */
  userId?: string | null;
}

/** A request that failed: the first problem's message is what the console shows. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly problems: ApiProblem[]) {
    super(problems[0]?.message ?? 'The request failed.');
  }
  get code(): string {
    return this.problems[0]?.code ?? 'UNKNOWN';
  }
  has(code: string): boolean {
    return this.problems.some((p) => p.code === code);
  }
}

/** The network or server failed before the API could answer. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The session is over (signed out elsewhere, suspended, expired): the console must sign in again. */
export class SessionEndedError extends ApiError {
  override name = 'SessionEndedError';
}

/** A readable sentence for any error, never a dump of internals. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof NetworkError) return error.message;
  return 'Something went wrong. Try again.';
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.has('FORBIDDEN');
}

/** A mutation payload's `userErrors` become an ApiError; otherwise the payload is returned. */
export function unwrapPayload<P extends { userErrors: readonly ApiProblem[] }>(payload: P): P {
  if (payload.userErrors.length > 0) throw new ApiError([...payload.userErrors]);
  return payload;
}
