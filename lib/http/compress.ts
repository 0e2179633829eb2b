import 'server-only';
// Response compression for the custom server's lean paths. Next compressed these answers (gzip) when it served
// them; the lean paths must not send 3 MB where 70 KB would do. Compression runs on libuv's thread pool, so a
// large answer never holds the event loop (and the reports queued behind it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this, compressing costs more than it saves. */
export const COMPRESS_MIN_BYTES = 1024;

export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * The coding to answer with: br, then gzip, when the client accepts it with a non-zero q. Quality matters less
 * than order here: both are far better than identity for JSON.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): ContentCoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [rawName, ...params] = part.toLowerCase().split(';');
    const name = rawName.trim();
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

/** Fastest settings of each: measured on a 3.4 MB fleet list, br q1 ~1 ms -> 17 KB, gzip 1 ~4 ms -> 72 KB. */
export async function encode(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  if (coding === 'br') {
    return brotli(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: body.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    });
  }
  if (coding === 'gzip') return gzipAsync(body, { level: 1 });
  return body;
}

/** A JSON text, compressed when the client accepts it and it is worth it. HEAD gets the headers only. */
export async function sendJsonText(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): Promise<void> {
  const raw = Buffer.from(text, 'utf8');
  const coding = raw.length >= COMPRESS_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : 'identity';
  const body = await encode(raw, coding);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    vary: 'accept-encoding',
    ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
