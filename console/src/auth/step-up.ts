/**
 * Step-up in the console: when the API answers REAUTHENTICATION_REQUIRED (a query's error code, or a
 * mutation payload's userErrors), `request` (api/client.ts) asks here for the person to confirm who they
 * are. The dialog (auth/step-up-dialog.tsx, mounted once for the whole console) registers itself as the
 * prompt; requests that need it at the same moment share one prompt. The answer is whether the session
 * was re-authenticated (then the request is retried once) or the person cancelled (then the original
 * answer stands). Without a mounted dialog nobody is asked.
 */
export const reauthenticationRequired = 'REAUTHENTICATION_REQUIRED';

type Prompt = () => Promise<boolean>;

let prompt: Prompt | null = null;
let pending: Promise<boolean> | null = null;

/** The dialog registers how to ask; returns how to unregister. */
export function setReauthenticationPrompt(p: Prompt): () => void {
  prompt = p;
  return () => {
    if (prompt === p) prompt = null;
  };
}

/** Asks the person to re-authenticate (once for all requests waiting at this moment). */
export function confirmIdentity(): Promise<boolean> {
  if (!prompt) return Promise.resolve(false);
  pending ??= prompt().finally(() => {
    pending = null;
  });
  return pending;
}

interface Answer {
  data?: unknown;
  errors?: { extensions?: { code?: string } }[];
}

/** Whether an answer asks for a re-authentication: a top-level error, or a payload's userErrors. */
export function asksForReauthentication(r: Answer): boolean {
  if (r.errors?.some((e) => e.extensions?.code === reauthenticationRequired)) return true;
  if (!r.data || typeof r.data !== 'object') return false;
  return Object.values(r.data as Record<string, unknown>).some((payload) => {
    const errors = (payload as { userErrors?: { code?: string }[] } | null)?.userErrors;
    return Array.isArray(errors) && errors.some((e) => e.code === reauthenticationRequired);
  });
}
