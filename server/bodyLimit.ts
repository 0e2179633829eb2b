import 'server-only';
// Request body caps, enforced by the custom server before any handler (Next's included) can buffer a byte: a
// declared Content-Length over the route's cap is refused at once, and a body without one (chunked) is held back
// and counted as it arrives, so a handler only ever sees a complete body within the cap. Over the cap: 413 with
// the lingering close of lib/http/node.ts, so the client reads the answer while the rest is discarded unread.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError } from '../lib/http/errors';
import { sendError } from '../lib/http/node';
import { MAX_REPORT_BYTES, REPORTS_PATH } from '../lib/ingest/http';
import { AGENT_API_PREFIX, MAX_AGENT_RESULT_BYTES } from '../lib/report/remediation';

/** The JSON endpoints people use (sign-in, remediation requests, settings) take small bodies. */
export const SMALL_BODY_BYTES = 64 * 1024;

const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * The most body bytes a request may carry: reports 2 MiB; an agent's remediation result 4 MiB (its handler checks
 * the agent's token first and applies each endpoint's own smaller cap); methods without a body meaning none; everything else
 * (Next's route handlers) SMALL_BODY_BYTES. (The lean read-only paths answer other methods 405 unread.)
 */
export function bodyCapFor(method: string | undefined, pathname: string): number {
  if (BODILESS_METHODS.has(method ?? 'GET')) return 0;
  if (pathname === REPORTS_PATH) return MAX_REPORT_BYTES;
  if (pathname.startsWith(AGENT_API_PREFIX)) return MAX_AGENT_RESULT_BYTES;
  return SMALL_BODY_BYTES;
}

/** Whether the request's headers announce a body: a positive Content-Length, or any Transfer-Encoding. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > 0;
}

/**
 * Refuses (413, and true) a request whose headers already break the cap: a declared length over it, or any body
 * where none is allowed. False: the handler may run, and must still not read past the cap (see holdBody).
 */
export function refuseDeclaredBody(req: IncomingMessage, res: ServerResponse, cap: number): boolean {
  const declared = Number(req.headers['content-length']);
  const over = cap === 0 ? hasBody(req) : Number.isFinite(declared) && declared > cap;
  if (!over) return false;
  sendError(res, new PayloadTooLargeError(cap));
  return true;
}

/**
 * Delivers the request's body to its stream only once it is complete and no longer than `cap` bytes, then calls
 * `proceed` (Next reads the body from the request stream as usual). Past the cap: 413, `proceed` is never called,
 * and nothing more is kept. The parser hands body bytes to the stream through `push`; wrapping that one method
 * (before any byte arrives: the request event fires when the headers are complete) holds them back without
 * replacing the request object Next is given. At most `cap` bytes are held per request.
 */
export function holdBody(req: IncomingMessage, res: ServerResponse, cap: number, proceed: () => void): void {
  if (!hasBody(req)) {
    proceed();
    return;
  }
  if (req.complete) {
    // Everything arrived before this handler ran: the body is already in the stream's buffer.
    if (req.readableLength > cap) sendError(res, new PayloadTooLargeError(cap));
    else proceed();
    return;
  }
  const push = req.push;
  const held: Buffer[] = [];
  let size = 0;
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) {
      req.push = push;
      for (const c of held) push.call(req, c);
      held.length = 0;
      const more = push.call(req, null);
      proceed();
      return more;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
    size += bytes.length;
    if (size > cap) {
      held.length = 0;
      req.push = () => true; // discard what still arrives until the lingering close cuts the connection
      sendError(res, new PayloadTooLargeError(cap));
      return true;
    }
    held.push(bytes);
    return true;
  };
}
