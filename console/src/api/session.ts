/**
 * The console's session: the access token lives in memory only (never in storage a script of another
 * page could read later); the single-use refresh token, which the API returns in the response body, is
 * kept in sessionStorage so a reload of this tab stays signed in. It is gone when the tab closes, and it
 * is replaced on every refresh (the API rotates it and ends the session if an old one is presented).
 *
 * Duplicated tabs. The browser's "Duplicate tab" (and window.open) copies sessionStorage, so two tabs hold
 * the same refresh token of one session ("family"). Uncoordinated, the first tab to refresh rotates it and
 * the second presents the spent one: the API's reuse detection rightly revokes the family and both tabs
 * are signed out. We keep reuse detection exactly as strict and make the tabs of one family behave as one
 * client instead (console/src/auth/session-tabs.ts):
 *  - every sign-in starts a family, a random id stored beside the refresh token (so a duplicate inherits
 *    it), with a generation counted up on each rotation;
 *  - a refresh runs under an exclusive Web Lock named after the family (navigator.locks), so tabs of one
 *    family never refresh at once; inside the lock a tab first asks its live siblings (found by the
 *    presence lock each holds) for their newest tokens over a BroadcastChannel, and uses a fresh access
 *    token a sibling already obtained instead of refreshing again;
 *  - after a rotation the new tokens are sent to the siblings, which store them at once, so the refresh
 *    token in every tab is the family's newest;
 *  - the end of the session (a deliberate sign-out, or the API refusing it) is broadcast too: every tab of
 *    the family signs out.
 * Why not give a duplicated tab a session of its own: that needs the API to mint a second family from a
 * refresh token (a token copied by an attacker could then fork sessions unseen), and a tab cannot tell it
 * is a duplicate before its sibling's first refresh has already spent the shared token.
 * A tab closed (or reloaded) mid-refresh releases the lock with its document, so no sibling waits
 * forever. If the API had not yet received its request, the sibling's token still works; if the API had
 * already rotated it, the new token died with the tab and every copy left is spent: the family ends, as it
 * must, because the API cannot tell that from a stolen token (a single tab reloaded mid-refresh has always
 * ended this way). Browsers without Web Locks or BroadcastChannel (or a console
 * served over plain HTTP to a non-local host, where locks are unavailable) work as before, uncoordinated.
 */
export type SessionStatus = 'restoring' | 'signedIn' | 'signedOut';

export interface SessionSnapshot {
  status: SessionStatus;
  /** Why the last session ended, when it ended by itself (revoked, suspended, expired). */
  notice: string | null;
}

/** What tabs of one family share: the newest tokens. */
export interface FamilyTokens {
  generation: number;
  refreshToken: string;
  accessToken: string | null;
  /** When the access token expires (milliseconds since the epoch), when known. */
  accessExpiresAt: number | null;
}

/** A change this tab made that its sibling tabs must hear of. */
export type SessionAnnouncement =
  | { type: 'rotated'; family: string; tokens: FamilyTokens }
  | { type: 'ended'; family: string; signedOut: boolean };

export interface NewTokens {
  accessToken: string;
  refreshToken: string;
  /** ISO date from the API's payload. */
  expiresAt?: string | null;
}

const refreshTokenKey = 'roster.refreshToken';
const familyKey = 'roster.sessionFamily';
const generationKey = 'roster.refreshGeneration';

/** An access token closer than this to its expiry is not worth taking from a sibling. */
const freshnessMarginMs = 30_000;

let accessToken: string | null = null;
let accessExpiresAt: number | null = null;
let snapshot: SessionSnapshot = { status: 'signedOut', notice: null };
const listeners = new Set<() => void>();
let announce: (a: SessionAnnouncement) => void = () => undefined;

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

function newFamily(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function expiryOf(tokens: NewTokens): number | null {
  const t = tokens.expiresAt ? Date.parse(tokens.expiresAt) : NaN;
  return Number.isFinite(t) ? t : null;
}

function store(tokens: FamilyTokens, family: string): void {
  accessToken = tokens.accessToken;
  accessExpiresAt = tokens.accessExpiresAt;
  const s = storage();
  s?.setItem(refreshTokenKey, tokens.refreshToken);
  s?.setItem(familyKey, family);
  s?.setItem(generationKey, String(tokens.generation));
  if (snapshot.status !== 'signedIn') publish({ status: 'signedIn', notice: null });
}

export const session = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): SessionSnapshot => snapshot,
  accessToken: (): string | null => accessToken,
  refreshToken: (): string | null => storage()?.getItem(refreshTokenKey) ?? null,
  /** The family this tab's refresh token belongs to; null when signed out (or from an older console). */
  family: (): string | null => (session.refreshToken() ? (storage()?.getItem(familyKey) ?? null) : null),
  generation: (): number => Number(storage()?.getItem(generationKey) ?? 0) || 0,
  /** Whether the access token in memory is known and not about to expire. */
  hasFreshAccessToken: (): boolean =>
    accessToken !== null && accessExpiresAt !== null && accessExpiresAt - freshnessMarginMs > Date.now(),
  /** This tab's newest tokens, as a sibling would receive them. */
  tokens: (): FamilyTokens | null => {
    const refreshToken = session.refreshToken();
    return refreshToken
      ? { generation: session.generation(), refreshToken, accessToken, accessExpiresAt }
      : null;
  },

  /** Installed by the tab coordination (auth/session-tabs.ts): tells sibling tabs what changed here. */
  setAnnouncer(fn: (a: SessionAnnouncement) => void): void {
    announce = fn;
  },

  /** A new session from signIn or acceptInvitation: a new family, which no other tab holds yet. */
  signedIn(tokens: NewTokens): void {
    const family = newFamily();
    store(
      {
        generation: 0,
        refreshToken: tokens.refreshToken,
        accessToken: tokens.accessToken,
        accessExpiresAt: expiryOf(tokens),
      },
      family,
    );
    announce({ type: 'rotated', family, tokens: session.tokens()! });
  },
  /** New tokens from refreshSession: the family's next generation, shared with the sibling tabs. */
  rotated(tokens: NewTokens): void {
    const family = session.family() ?? newFamily();
    store(
      {
        generation: session.generation() + 1,
        refreshToken: tokens.refreshToken,
        accessToken: tokens.accessToken,
        accessExpiresAt: expiryOf(tokens),
      },
      family,
    );
    announce({ type: 'rotated', family, tokens: session.tokens()! });
  },
  /**
   * A new access token for the same session after a re-authentication (step-up): the refresh token and
   * its generation stay. Sibling tabs need not hear of it: the server checks the session's authentication
   * time, not the token's, so their tokens pass the same checks.
   */
  reauthenticated(tokens: { accessToken: string; expiresAt?: string | null }): void {
    accessToken = tokens.accessToken;
    const t = tokens.expiresAt ? Date.parse(tokens.expiresAt) : NaN;
    accessExpiresAt = Number.isFinite(t) ? t : null;
  },
  /**
   * Tokens a sibling tab of this family holds: a newer generation replaces ours; of two access tokens of
   * the session the one that lives longer is kept. Returns whether anything changed.
   */
  adopt(family: string, tokens: FamilyTokens): boolean {
    if (session.family() !== family) return false;
    const mine = session.generation();
    const newer = tokens.generation > mine;
    const same = tokens.generation === mine && tokens.refreshToken === session.refreshToken();
    const longerAccess =
      tokens.accessToken !== null &&
      (accessToken === null || (tokens.accessExpiresAt ?? 0) > (accessExpiresAt ?? 0));
    if (!newer && !(same && longerAccess)) return false;
    store(longerAccess ? tokens : { ...tokens, accessToken, accessExpiresAt }, family);
    return true;
  },
  restoring(): void {
    publish({ status: 'restoring', notice: null });
  },
  /**
   * Forget the tokens; `notice` tells the sign-in page why (null for a deliberate sign-out). Unless
   * `localOnly`, the sibling tabs of the session are told and sign out too.
   */
  end(notice: string | null, options: { localOnly?: boolean; signedOut?: boolean } = {}): void {
    const family = session.family();
    accessToken = null;
    accessExpiresAt = null;
    const s = storage();
    s?.removeItem(refreshTokenKey);
    s?.removeItem(familyKey);
    s?.removeItem(generationKey);
    publish({ status: 'signedOut', notice });
    if (family && !options.localOnly) {
      announce({ type: 'ended', family, signedOut: options.signedOut ?? notice === null });
    }
  },
};
