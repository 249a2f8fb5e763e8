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
        mfaChallenge {
          id
          methods
          expiresAt
        }
        mfaEnrolmentRequired
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** The password was right; a second factor is due (finish with `completeSignIn`, auth/complete-sign-in.ts). */
export interface MfaChallenge {
  id: string;
  methods: readonly string[];
  expiresAt: string;
}

/**
 * Signs in with a password; on success the console holds the new session. With a second factor enrolled
 * it answers the challenge instead, and nobody is signed in yet.
 */
export async function signIn(input: {
  email: string;
  password: string;
  organization?: string | null;
}): Promise<MfaChallenge | null> {
  const r = await request(
    SignIn,
    { input: { email: input.email, password: input.password, organization: input.organization || null } },
    { anonymous: true },
  );
  const p = unwrapPayload(r.signIn);
  if (p.mfaChallenge) return p.mfaChallenge;
  if (!p.accessToken || !p.refreshToken) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The sign-in did not return a session.' }]);
  }
  // Before the session: the page that opens next must already know it may only enrol a factor.
  setEnrolmentOnly(p.mfaEnrolmentRequired === true);
  session.signedIn({ accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: p.expiresAt });
  return null;
}

/** Only paths of this site: `next` comes from the address bar. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}
