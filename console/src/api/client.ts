import { print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { graphql } from '../graphql';
import { ApiError, NetworkError, SessionEndedError, type ApiProblem } from './errors';
import { asFamilyRefresher, sessionEndedNotice } from '../auth/session-tabs';
import { setEnrolmentOnly } from '../auth/enrolment';
import { asksForReauthentication, confirmIdentity } from '../auth/step-up';
import { session } from './session';
import { UserErrorFields } from './user-errors';

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const RefreshSession = graphql(
  `
    mutation RefreshSession($input: RefreshSessionInput!) {
      refreshSession(input: $input) {
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

async function post<R, V>(
  document: TadaDocumentNode<R, V>,
  variables: V | undefined,
  token: string | null,
): Promise<GraphQLResponse<R>> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: print(document), ...(variables ? { variables } : {}) }),
    });
  } catch {
    throw new NetworkError('The server cannot be reached. Check your connection and try again.');
  }
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    throw new NetworkError(`The server answered ${response.status} ${response.statusText}. Try again.`);
  }
  return (await response.json()) as GraphQLResponse<R>;
}

const problemsOf = (r: GraphQLResponse<unknown>): ApiProblem[] =>
  (r.errors ?? []).map((e) => ({ code: e.extensions?.code ?? 'UNKNOWN', message: e.message }));

let refreshing: Promise<boolean> | null = null;

/**
 * Trades the stored refresh token for new tokens; one exchange at a time for the whole console (the
 * refresh token works once: two concurrent exchanges would end the session) — across the tabs of one
 * session too (auth/session-tabs.ts). When a sibling tab has meanwhile obtained an access token other than
 * the one that failed here, it is used and nothing is exchanged.
 */
export function refreshSession(): Promise<boolean> {
  const failed = session.accessToken();
  refreshing ??= asFamilyRefresher(async () => {
    if (session.hasFreshAccessToken() && session.accessToken() !== failed) return true;
    const refreshToken = session.refreshToken();
    if (!refreshToken) return false;
    const r = await post(RefreshSession, { input: { refreshToken } }, null);
    const p = r.data?.refreshSession;
    if (p?.accessToken && p.refreshToken) {
      setEnrolmentOnly(p.mfaEnrolmentRequired === true);
      session.rotated({ accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: p.expiresAt });
      return true;
    }
    session.end(sessionEndedNotice);
    return false;
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** On start-up: a refresh token kept by this tab restores the session. */
export async function restoreSession(): Promise<void> {
  if (!session.refreshToken()) return;
  session.restoring();
  try {
    await refreshSession();
  } catch {
    // The server is unreachable: this tab shows the sign-in page; its sibling tabs are left alone.
    session.end('The server cannot be reached. Sign in again when it is back.', { localOnly: true });
  }
}

/**
 * Runs a GraphQL operation with the viewer's access token. When the API says the viewer is not
 * authenticated, the session is refreshed once and the operation retried; if that fails the session has
 * ended (revoked, suspended, expired) and the console goes back to the sign-in page.
 */
export async function request<R, V>(
  document: TadaDocumentNode<R, V>,
  variables?: V,
  options: { anonymous?: boolean } = {},
): Promise<R> {
  if (!options.anonymous && !session.accessToken() && session.refreshToken()) await refreshSession();
  let r = await post(document, variables, options.anonymous ? null : session.accessToken());
  let problems = problemsOf(r);
  if (!options.anonymous && problems.some((p) => p.code === 'UNAUTHENTICATED')) {
    const hadSession = session.accessToken() !== null || session.refreshToken() !== null;
    if (hadSession && (await refreshSession())) {
      r = await post(document, variables, session.accessToken());
      problems = problemsOf(r);
    }
    if (problems.some((p) => p.code === 'UNAUTHENTICATED')) {
      if (session.snapshot().status !== 'signedOut') session.end(sessionEndedNotice);
      throw new SessionEndedError([{ code: 'UNAUTHENTICATED', message: sessionEndedNotice }]);
    }
  }
  // The organisation requires a second factor and this session may only enrol one: the console goes to
  // the enrolment page (auth/require-auth.tsx) whatever page asked.
  if (problems.some((p) => p.code === 'MFA_ENROLMENT_REQUIRED')) setEnrolmentOnly(true);
  // Step-up: the action needs a recent authentication. Ask for it in place and retry once; if the person
  // cancels (or it fails), the original answer stands.
  if (!options.anonymous && asksForReauthentication(r) && (await confirmIdentity())) {
    r = await post(document, variables, session.accessToken());
    problems = problemsOf(r);
  }
  if (problems.length > 0 || r.data == null) {
    throw new ApiError(problems.length > 0 ? problems : [{ code: 'UNKNOWN', message: 'No answer.' }]);
  }
  return r.data;
}
