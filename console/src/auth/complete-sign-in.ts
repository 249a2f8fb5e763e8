import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { CompleteSignIn } from '../api/mfa';
import { session } from '../api/session';
import { setEnrolmentOnly } from './enrolment';

/** The proof of the second step: one method (a passkey assertion becomes a third). */
export type SecondFactorProof = { totpCode: string } | { recoveryCode: string };

/** The sign-in's second step; on success the console holds the new session. */
export async function completeSignIn(challengeId: string, proof: SecondFactorProof): Promise<void> {
  const r = await request(
    CompleteSignIn,
    {
      input: {
        challengeId,
        totpCode: 'totpCode' in proof ? proof.totpCode : null,
        recoveryCode: 'recoveryCode' in proof ? proof.recoveryCode : null,
      },
    },
    { anonymous: true },
  );
  const p = unwrapPayload(r.completeSignIn);
  if (!p.accessToken || !p.refreshToken) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The sign-in did not return a session.' }]);
  }
  // A role that must use a passkey, signed in with an app code: the session may only add a passkey.
  setEnrolmentOnly(p.mfaEnrolmentRequired === true);
  session.signedIn({ accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: p.expiresAt });
}
