import { refreshSession } from './client';
import { ApiError, NetworkError } from './errors';
import { session } from './session';
import { confirmIdentity } from '../auth/step-up';

/** RFC 9470: the token is fine, its authentication too old (REAUTHENTICATION_REQUIRED). */
const asksForStepUp = (r: Response) =>
  r.status === 401 && (r.headers.get('www-authenticate') ?? '').includes('insufficient_user_authentication');

/**
 * Downloads a file from one of the API's HTTP endpoints (exports) with the viewer's access token, and
 * hands it to the browser under the server's file name. An export that needs a recent authentication asks
 * for it in place (auth/step-up.ts) and is retried once.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const get = () =>
    fetch(path, { headers: { authorization: `Bearer ${session.accessToken() ?? ''}` } }).catch(() => {
      throw new NetworkError('The server cannot be reached. Check your connection and try again.');
    });
  let response = await get();
  // Step-up: confirm who you are in place, then the same download once more (cancel keeps the refusal).
  if (asksForStepUp(response)) {
    if (await confirmIdentity()) response = await get();
  } else if (response.status === 401 && (await refreshSession())) response = await get();
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    throw new ApiError([
      {
        code: body?.error?.code ?? 'UNKNOWN',
        message: body?.error?.message ?? `The export failed (${response.status}).`,
      },
    ]);
  }
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
