import 'server-only';
// node:http counterparts of Next's Request/Response helpers, for the custom server's lean paths.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError, toHttpError } from './errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const { status, body, headers } = toHttpError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof PayloadTooLargeError) {
    lingeringClose(res);
    sendJson(res, status, body, { ...headers, connection: 'close' });
    return;
  }
  sendJson(res, status, body, headers);
}

/** How long a refused upload may keep sending (discarded) after its answer, so the client can read the answer. */
export const LINGER_MS = 2000;
/** How much of a refused upload is read (and dropped) per LINGER_TICK_MS while lingering: 640 KiB/s. */
const LINGER_BYTES_PER_TICK = 64 * 1024;
const LINGER_TICK_MS = 100;

/**
 * After a 413 the connection must close, but closing while the client is still sending makes the kernel reset
 * the connection, and most clients then report the reset instead of our answer. Like nginx's lingering close:
 * send FIN after the answer, discard (never buffer) what still arrives, and cut the connection after LINGER_MS.
 * The discarding is paced: a client that sends slightly too much is drained at once, while a flood is read no
 * faster than LINGER_BYTES_PER_TICK, so it cannot make the process churn through (and hold, until the next
 * garbage collection) hundreds of megabytes of read buffers.
 */
function lingeringClose(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  const req = res.req;
  // node:http calls destroySoon() once a `connection: close` response has been written.
  socket.destroySoon = () => {
    socket.end();
    req.removeAllListeners('data');
    req.resume();
    let budget = LINGER_BYTES_PER_TICK;
    socket.on('data', (chunk: Buffer) => {
      budget -= chunk.length;
      if (budget <= 0) socket.pause();
    });
    const pace = setInterval(() => {
      budget = LINGER_BYTES_PER_TICK;
      socket.resume();
    }, LINGER_TICK_MS);
    pace.unref();
    const cut = setTimeout(() => socket.destroy(), LINGER_MS);
    cut.unref();
    socket.once('close', () => {
      clearInterval(pace);
      clearTimeout(cut);
    });
  };
}

/**
 * Reads a request body into one Buffer, refusing (PayloadTooLargeError) as soon as the declared length or the
 * bytes received pass the limit; it stops reading at that point rather than draining an oversized upload.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.pause();
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        cleanup();
        req.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => {
      cleanup();
      reject(new RequestAbortedError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** The client went away mid-body; nobody is left to answer. */
export class RequestAbortedError extends Error {
  constructor() {
    super('client aborted the request');
    this.name = 'RequestAbortedError';
  }
}
