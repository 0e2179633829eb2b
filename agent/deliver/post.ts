// A bare HTTP(S) POST on node:http. Not fetch: undici and its WebAssembly parser cost the agent ~16 MB of RSS
// plus a ~20 MB spike while V8 optimises it (measured in bench/agent-scan.ts), and the agent sends one small
// request every few seconds. Keep-alive reuses one connection between reports.
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 1 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 1 }),
};

export interface PostAnswer {
  status: number;
  text: string;
}

export class PostError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'PostError';
  }
}

/** Answers larger than this are cut: the agent only needs the status and a short JSON body. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const agent = agents[url.protocol as 'http:' | 'https:'];
    if (!agent) {
      reject(new PostError(`unsupported protocol ${url.protocol}`, false));
      return;
    }
    const payload = Buffer.from(body);
    let timedOut = false;
    const req = client.request(url, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': String(payload.length) },
      signal,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(new PostError(`reading the answer failed: ${err.message}`, timedOut));
      });
    });
    req.on('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      reject(new PostError(timedOut ? `no answer within ${timeoutMs} ms` : (err.code ?? err.message), timedOut));
    });
    req.end(payload);
  });
}
