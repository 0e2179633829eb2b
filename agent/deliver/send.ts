// One POST of one report, and what the answer means for that report. Classification is pure so the rules are
// tested without a server; the HTTP call is a thin edge around it.
import { post, PostError } from './post';
import type { TokenSource } from './token';

export type SendOutcome =
  /** 202 stored, or 200 already stored under this reportId (a resend after a crash): done with this report. */
  | { kind: 'accepted'; status: number; duplicate: boolean }
  /** 400/413/422: the report itself is bad and will never be accepted; move it aside, never resend. */
  | { kind: 'rejected'; status: number; answer: unknown }
  /** 401/403/404 and other 4xx: the agent's configuration is wrong (token, URL); keep the report, retry slowly. */
  | { kind: 'refused'; status: number; answer: unknown }
  /** 5xx, 408, 429, network errors, timeouts: the server is unwell; keep the report, retry with backoff. */
  | { kind: 'retry'; status: number | null; error: string };

export function classifyStatus(status: number): SendOutcome['kind'] {
  if (status === 200 || status === 202) return 'accepted';
  if (status === 400 || status === 413 || status === 422) return 'rejected';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** `<server>/api/v1/reports`, keeping any path prefix the server is mounted under. */
export function reportsUrl(server: URL): URL {
  const base = new URL(server.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL('api/v1/reports', base);
}

function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 4096);
  }
}

export interface SendOptions {
  server: URL;
  /** A fixed token, or a source read before each send (a rotating --token-file; see token.ts). */
  token: string | TokenSource;
  /** The report, already serialized. */
  body: string;
  timeoutMs: number;
  /** Aborts the request on shutdown. */
  signal?: AbortSignal;
}

export async function sendReport(opts: SendOptions): Promise<SendOutcome> {
  if (typeof opts.token === 'string') return sendWith(opts, opts.token);
  const token = opts.token();
  const outcome = await sendWith(opts, token);
  // The file may have been rotated between the read and the server's check: read once more and retry at once.
  if (outcome.kind === 'refused' && outcome.status === 401) {
    const fresh = opts.token();
    if (fresh !== token) return sendWith(opts, fresh);
  }
  return outcome;
}

async function sendWith(opts: SendOptions, token: string): Promise<SendOutcome> {
  let res: { status: number; text: string };
  try {
    // node:http follows no redirects, so a redirected POST cannot silently turn into a GET: a 3xx is "refused".
    res = await post(
      reportsUrl(opts.server),
      { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      opts.body,
      opts.timeoutMs,
      opts.signal,
    );
  } catch (err) {
    const reason = err instanceof PostError ? err.message : (err as Error).message;
    return { kind: 'retry', status: null, error: reason };
  }
  const answer = parseAnswer(res.text);
  const kind = classifyStatus(res.status);
  switch (kind) {
    case 'accepted': {
      const duplicate = typeof answer === 'object' && answer !== null && (answer as { duplicate?: unknown }).duplicate === true;
      return { kind, status: res.status, duplicate };
    }
    case 'rejected':
    case 'refused':
      return { kind, status: res.status, answer };
    case 'retry':
      return { kind, status: res.status, error: `HTTP ${res.status}` };
  }
}
