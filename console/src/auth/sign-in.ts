import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { session } from '../api/session';
import { graphql } from '../graphql';
import { UserErrorFields } from '../api/user-errors';
import { setEnrolmentOnly } from './enrolment';

const SignIn = graphql(
  `
    mutation SignIn($input: SignInInput!) {
      signIn(input: $input) {
        accessToken
        refreshToken
        expiresAt
        mfaEnrolmentRequired
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** Signs in with a password; on success the console holds the new session. */
export async function signIn(input: { email: string; password: string; organization?: string | null }) {
  const r = await request(
    SignIn,
    { input: { email: input.email, password: input.password, organization: input.organization || null } },
    { anonymous: true },
  );
  const p = unwrapPayload(r.signIn);
  if (!p.accessToken || !p.refreshToken) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The sign-in did not return a session.' }]);
  }
  // Before the session: the page that opens next must already know it may only enrol a factor.
  setEnrolmentOnly(p.mfaEnrolmentRequired === true);
  session.signedIn({ accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: p.expiresAt });
}

/** Only paths of this site: `next` comes from the address bar. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}
