/**
 * The ways to set up a second factor on the enrolment page: the authenticator app (unless only a passkey
 * will do) and passkeys — the same sections as on "My security".
 * TODO(merge): render the TOTP and passkey sections once they land.
 */
export function EnrolmentMethods(_props: { passkeyOnly: boolean }) {
  return null;
}
