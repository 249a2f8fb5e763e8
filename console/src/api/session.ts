/**
 * The console's session: the access token lives in memory only (never in storage a script of another
 * page could read later); the single-use refresh token, which the API returns in the response body, is
 * kept in sessionStorage so a reload of this tab stays signed in. It is gone when the tab closes, and it
 * is replaced on every refresh (the API rotates it and ends the session if an old one is presented).
 */
export type SessionStatus = 'restoring' | 'signedIn' | 'signedOut';

export interface SessionSnapshot {
  status: SessionStatus;
  /** Why the last session ended, when it ended by itself (revoked, suspended, expired). */
  notice: string | null;
}

const refreshTokenKey = 'roster.refreshToken';

let accessToken: string | null = null;
let snapshot: SessionSnapshot = { status: 'signedOut', notice: null };
const listeners = new Set<() => void>();

function publish(next: SessionSnapshot): void {
  snapshot = next;
  for (const l of listeners) l();
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const session = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): SessionSnapshot => snapshot,
  accessToken: (): string | null => accessToken,
  refreshToken: (): string | null => storage()?.getItem(refreshTokenKey) ?? null,

  /** New tokens from signIn or refreshSession. */
  signedIn(tokens: { accessToken: string; refreshToken: string }): void {
    accessToken = tokens.accessToken;
    storage()?.setItem(refreshTokenKey, tokens.refreshToken);
    if (snapshot.status !== 'signedIn') publish({ status: 'signedIn', notice: null });
  },
  restoring(): void {
    publish({ status: 'restoring', notice: null });
  },
  /** Forget the tokens; `notice` tells the sign-in page why (null for a deliberate sign-out). */
  end(notice: string | null): void {
    accessToken = null;
    storage()?.removeItem(refreshTokenKey);
    publish({ status: 'signedOut', notice });
  },
};
