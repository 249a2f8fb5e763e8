import { startAuthentication } from '@simplewebauthn/browser';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { BeginPasskeySignIn, FinishPasskeySignIn, passkeyBrowserError } from '../api/passkeys';
import { session } from '../api/session';

/**
 * Passwordless sign-in with a passkey: the server's options (no user named), the browser's passkey prompt
 * (or, with `autofill`, the passkeys offered in the username field's suggestions — conditional UI), then
 * the assertion for the same ceremony. On success the console holds the new session.
 */
export async function signInWithPasskey(opts: { autofill?: boolean } = {}): Promise<void> {
  const begun = unwrapPayload(
    (await request(BeginPasskeySignIn, undefined, { anonymous: true })).beginPasskeySignIn,
  );
  if (!begun.ceremonyId || !begun.options) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The passkey sign-in could not start.' }]);
  }
  let response;
  try {
    response = await startAuthentication({
      optionsJSON: begun.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
      useBrowserAutofill: opts.autofill ?? false,
    });
  } catch (err) {
    throw passkeyBrowserError(err);
  }
  const p = unwrapPayload(
    (
      await request(
        FinishPasskeySignIn,
        { input: { ceremonyId: begun.ceremonyId, response } },
        { anonymous: true },
      )
    ).finishPasskeySignIn,
  );
  if (!p.accessToken || !p.refreshToken) {
    throw new ApiError([{ code: 'SIGN_IN_FAILED', message: 'The sign-in did not return a session.' }]);
  }
  session.signedIn({ accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: p.expiresAt });
}
