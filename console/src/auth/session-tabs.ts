import { session, type FamilyTokens, type SessionAnnouncement } from '../api/session';

/**
 * Tabs of one session family act as one client (why: the comment at the top of api/session.ts). Each tab
 * holds a presence lock `roster.tab:<family>:<tab>` while it belongs to a family, so a tab can count its
 * live siblings; refreshes take the exclusive lock `roster.refresh:<family>`; tokens and the end of the
 * session travel over the `roster.session` BroadcastChannel (same origin only). A tab that is closed
 * releases its locks with its document, so nothing waits on a dead tab.
 */
type Message =
  | SessionAnnouncement
  | { type: 'ask'; family: string; ask: string }
  | { type: 'answer'; family: string; ask: string; tokens: FamilyTokens };

/** How long a tab in the refresh lock waits for its siblings' answers (a frozen tab does not answer). */
const askTimeoutMs = 1_000;

export const signedOutElsewhereNotice = 'You signed out in another tab.';
export const sessionEndedNotice = 'Your session has ended. Sign in again.';

const locks: LockManager | null =
  typeof navigator !== 'undefined' && navigator.locks && typeof navigator.locks.request === 'function'
    ? navigator.locks
    : null;
const channel: BroadcastChannel | null =
  typeof BroadcastChannel === 'function' && locks ? new BroadcastChannel('roster.session') : null;
const tabId = Math.random().toString(36).slice(2) + Date.now().toString(36);

const presencePrefix = (family: string) => `roster.tab:${family}:`;
let presence: { family: string; release: () => void } | null = null;

/** Holds this tab's presence lock for the family it belongs to now (none when signed out). */
function joinFamily(family: string | null): void {
  if (presence?.family === family) return;
  presence?.release();
  presence = null;
  if (!family || !locks) return;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  void locks.request(`${presencePrefix(family)}${tabId}`, () => held).catch(() => undefined);
  presence = { family, release };
}

const pendingAsks = new Map<string, (tokens: FamilyTokens) => void>();

function post(m: Message): void {
  try {
    channel?.postMessage(m);
  } catch {
    // A closed channel (the page is going away): the siblings will ask when they need to.
  }
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const m = event.data;
  if (!m || typeof m !== 'object' || typeof m.family !== 'string') return;
  if (m.family !== session.family()) return;
  switch (m.type) {
    case 'rotated':
      session.adopt(m.family, m.tokens);
      break;
    case 'ended':
      session.end(m.signedOut ? signedOutElsewhereNotice : sessionEndedNotice, { localOnly: true });
      joinFamily(null);
      break;
    case 'ask': {
      const tokens = session.tokens();
      if (tokens) post({ type: 'answer', family: m.family, ask: m.ask, tokens });
      break;
    }
    case 'answer':
      pendingAsks.get(m.ask)?.(m.tokens);
      break;
  }
});

session.setAnnouncer((a) => {
  joinFamily(a.type === 'ended' ? null : a.family);
  post(a);
});
joinFamily(session.family());

/** Asks every live sibling of the family for its tokens and keeps the newest. */
async function catchUp(family: string): Promise<void> {
  if (!locks || !channel) return;
  const state = await locks.query();
  const siblings = (state.held ?? []).filter(
    (l) => l.name?.startsWith(presencePrefix(family)) && l.name !== `${presencePrefix(family)}${tabId}`,
  ).length;
  if (siblings === 0) return;
  const ask = Math.random().toString(36).slice(2);
  await new Promise<void>((resolve) => {
    let answers = 0;
    const done = () => {
      clearTimeout(timer);
      pendingAsks.delete(ask);
      resolve();
    };
    const timer = setTimeout(done, askTimeoutMs);
    pendingAsks.set(ask, (tokens) => {
      session.adopt(family, tokens);
      answers += 1;
      if (answers >= siblings) done();
    });
    post({ type: 'ask', family, ask });
  });
}

/**
 * Runs `refresh` as the only refresher of this tab's session family, after taking the newest tokens the
 * sibling tabs hold. `refresh` decides whether a sibling's fresh access token makes the exchange needless.
 * Without Web Locks or BroadcastChannel it simply runs (a single tab needs no coordination).
 */
export async function asFamilyRefresher<T>(refresh: () => Promise<T>): Promise<T> {
  const family = session.family();
  if (!locks || !channel || !family) return refresh();
  joinFamily(family);
  return locks.request(`roster.refresh:${family}`, async () => {
    await catchUp(family);
    return refresh();
  });
}
