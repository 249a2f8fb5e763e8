import { refreshSession } from './client';
import { ApiError, NetworkError } from './errors';
import { session } from './session';

/**
 * Downloads a file from one of the API's HTTP endpoints (exports) with the viewer's access token, and
 * hands it to the browser under the server's file name.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const get = () =>
    fetch(path, { headers: { authorization: `Bearer ${session.accessToken() ?? ''}` } }).catch(() => {
      throw new NetworkError('The server cannot be reached. Check your connection and try again.');
    });
  let response = await get();
  if (response.status === 401 && (await refreshSession())) response = await get();
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
