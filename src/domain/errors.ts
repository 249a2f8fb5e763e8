/**
 * The catalogue of stable error codes. Every error a client can see carries one of these codes and a safe
 * message; GraphQL maps them to `extensions.code`, SCIM to `scimType`, HTTP JSON to `{ error: { code } }`.
 */
export const errorCodes = {
  UNAUTHENTICATED: 'Sign in to do this.',
  FORBIDDEN: 'You are not allowed to do this.',
  NOT_FOUND: 'Not found.',
  VALIDATION_FAILED: 'The input is not valid.',
  INVALID_TRANSITION: 'That change of status is not allowed from the current status.',
  VERSION_CONFLICT: 'The record was changed by someone else; reload it and try again.',
  LAST_OWNER: 'The last owner of an organisation cannot be demoted, suspended or deactivated.',
  ROLE_NOT_GRANTABLE: 'You cannot grant a role with permissions you do not hold.',
  UNKNOWN_ROLE: 'There is no such role.',
  EMAIL_TAKEN: 'A user with this email already exists in the organisation.',
  EXTERNAL_ID_TAKEN: 'Another user of the organisation already has this externalId.',
  CANNOT_TARGET_SELF: 'You cannot do this to your own account.',
  INVITATION_INVALID: 'This invitation link is not valid. Ask for a new invitation.',
  INVITATION_EXPIRED: 'This invitation has expired. Ask for a new invitation.',
  INVITATION_NOT_PENDING: 'This invitation is no longer pending.',
  SIGN_IN_FAILED: 'The email or password is not correct, or the account cannot sign in.',
  ACCOUNT_SUSPENDED: 'Your account is suspended. Ask an administrator of your organisation.',
  SESSION_INVALID: 'The session has ended. Sign in again.',
  MFA_ENROLMENT_REQUIRED:
    'Your organisation requires a second factor: set one up (authenticator app or passkey) to continue.',
  PASSWORD_RESET_INVALID:
    'This password reset link is not valid: it was used, replaced by a newer one, or is incomplete. Ask for a new link.',
  PASSWORD_RESET_EXPIRED:
    'This password reset link has expired (links work for 30 minutes). Ask for a new link.',
  CURRENT_PASSWORD_INCORRECT: 'The current password is not correct.',
  PASSWORD_POLICY: 'The password does not meet the password policy.',
  ORGANIZATION_REQUIRED: 'This email exists in several organisations; name the organisation.',
  ORGANIZATION_EXISTS: 'An organisation with this slug already exists.',
  TOO_MANY_OPERATIONS: 'The request asks for too much at once.',
  DEPARTMENT_CYCLE: 'A department cannot be moved into itself or into its own subtree.',
  DEPARTMENT_NOT_EMPTY: 'The department or its subtree still has members or live sub-departments.',
  DEPARTMENT_CODE_TAKEN: 'Another department of the organisation already uses this code.',
  DEPARTMENT_PERMISSION_NOT_HELD:
    'This placement would give or take away permissions that the department adds and that you do not hold yourself.',
  PERMISSION_NOT_HELD:
    'You cannot grant or take away a permission you do not hold for the whole organisation.',
  // MFA (security/mfa-totp)
  MFA_CODE_INVALID: 'The code is not correct, or it was already used.',
  MFA_CHALLENGE_INVALID: 'This sign-in has expired or was already completed. Sign in again.',
  MFA_ALREADY_ENROLLED: 'An authenticator app is already set up; remove it first.',
  MFA_NOT_ENROLLED: 'No authenticator app is set up, or its enrolment was replaced. Start again.',
  MFA_METHOD_NOT_AVAILABLE:
    'This way of confirming who you are is not available for your account. Use another one.',
  // passkeys (domain/passkeys/)
  PASSKEY_CHALLENGE_INVALID:
    'This passkey request has expired or was already used (requests work once, for 5 minutes). Start again.',
  PASSKEY_VERIFICATION_FAILED: 'The passkey could not be verified. Try again, or use another passkey.',
  PASSKEY_ALREADY_REGISTERED: 'This passkey is already registered.',
  TOO_MANY_REQUESTS: 'Too many requests from your address. Wait a minute, then try again.',
  // step-up (issue 12): a sensitive action needs a recent authentication of the session
  REAUTHENTICATION_REQUIRED:
    'For this action, confirm who you are again: enter your password (or another sign-in method).',
  // API credentials (issue 13): SCIM tokens and personal API tokens
  API_TOKEN_INVALID: 'The API token is not valid: it is unknown, expired or revoked.',
  RATE_LIMITED: 'Too many requests with this token; wait and try again.',
  SESSION_REQUIRED: 'This needs a signed-in session: an API token cannot do it.',
  INTERNAL: 'Something went wrong on our side.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code],
    /** Safe, structured details (field names, limits); never internals. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

export const notFound = () => new DomainError('NOT_FOUND');
export const forbidden = () => new DomainError('FORBIDDEN');
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError('VALIDATION_FAILED', message, details);
