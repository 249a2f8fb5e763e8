import { useSyncExternalStore } from 'react';
import { session, type SessionSnapshot } from '../api/session';

export function useSession(): SessionSnapshot {
  return useSyncExternalStore(session.subscribe, session.snapshot);
}
