// The browser's one way to call the JSON API: reads (getJson), CSRF-carrying writes (sendJson), and the error
// body the server sends ({error, code?}) turned into typed errors. Query strings are built with withQuery.
// The server never calls these: it prefetches from the store directly instead of making HTTP requests to itself.
import { CSRF_HEADER, CSRF_VALUE } from '../remediation/types';
import { ApiError, MutationError } from './errors';

/** `path?k=v&...`, leaving out parameters that are undefined, null or empty. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The server's own words for a refusal, else the status line; plus its machine code when it sent one. */
async function readError(res: Response): Promise<{ message: string; code: string | null }> {
  let message = `${res.status} ${res.statusText}`.trim();
  let code: string | null = null;
  try {
    const body = (await res.json()) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string') message = body.error;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // The status line is the message then.
  }
  return { message, code };
}

/** GET a JSON answer; a non-2xx answer throws ApiError with the server's message. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal });
  if (!res.ok) {
    const { message } = await readError(res);
    throw new ApiError(message, res.status);
  }
  return (await res.json()) as T;
}

/**
 * A write with the CSRF header (the server refuses cookie-authenticated writes without it) and a JSON body if
 * given; a non-2xx answer throws MutationError with the server's message and code. 204 resolves to undefined.
 */
export async function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [CSRF_HEADER]: CSRF_VALUE };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const { message, code } = await readError(res);
    throw new MutationError(message, res.status, code);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
