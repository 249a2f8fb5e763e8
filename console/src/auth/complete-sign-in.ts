import { startAuthentication } from '@simplewebauthn/browser';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { BeginSecondFactorPasskey, CompleteSignIn } from '../api/mfa';
import { passkeyBrowserError } from '../api/passkeys';
import { session } from '../api/session';
import { setEnrolmentOnly } from './enrolment';

/** The proof of the second step: one method. */
export type SecondFactorProof = { totpCode: string } | { recoveryCode: string } | { passkey: true };

/**
 * The sign-in's second step; on success the console holds the new session. With a passkey: options for
 * the person's own passkeys bound to this challenge, the browser's prompt, then the assertion.
 */
export async function completeSignIn(challengeId: string, proof: SecondFactorProof): Promise<void> {
  const webauthnAssertion = 'passkey' in proof ? await passkeyAssertionFor(challengeId) : null;
  const r = await request(
    CompleteSignIn,
    {
      input: {
        challengeId,
        totpCode: 'totpCode' in proof ? proof.totpCode : null,
        recoveryCode: 'recoveryCode' in proof ? proof.recoveryCode : null,
        webauthnAssertion,
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

async function passkeyAssertionFor(challengeId: string): Promise<unknown> {
  const begun = unwrapPayload(
    (await request(BeginSecondFactorPasskey, { input: { challengeId } }, { anonymous: true }))
      .beginSecondFactorPasskey,
  );
  if (!begun.options) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The passkey step could not start.' }]);
  }
  try {
    return await startAuthentication({
      optionsJSON: begun.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
  } catch (err) {
    throw passkeyBrowserError(err);
  }
}
