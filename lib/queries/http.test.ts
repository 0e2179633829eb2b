// The browser's one fetch helper, against a real HTTP server: what it sends, and how refusals become typed errors.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, CSRF_VALUE } from '../remediation/types';
import { ApiError, MutationError } from './errors';
import { getJson, sendJson, withQuery } from './http';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; csrf: string | undefined; type: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, csrf: req.headers[CSRF_HEADER] as string | undefined, type: req.headers['content-type'], body });
    if (req.url === '/ok') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}');
    if (req.url === '/refused') return void res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"node is busy","code":"active"}');
    if (req.url === '/broken') return void res.writeHead(502, 'Bad Gateway').end('<html>proxy</html>');
    if (req.url === '/empty') return void res.writeHead(204).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('getJson', () => {
  it('returns the parsed body', async () => {
    expect(await getJson(`${base}/ok`)).toEqual({ n: 1 });
  });
  it("throws ApiError with the server's words, or the status line when the body is not JSON", async () => {
    const refused = await getJson(`${base}/refused`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, message: 'node is busy' });
    expect(await getJson(`${base}/broken`).catch((e: unknown) => e)).toMatchObject({ status: 502, message: '502 Bad Gateway' });
  });
});

describe('sendJson', () => {
  it('sends the CSRF header and a JSON body; 204 resolves to undefined', async () => {
    seen.length = 0;
    expect(await sendJson('POST', `${base}/ok`, { dryRun: true })).toEqual({ n: 1 });
    expect(await sendJson('DELETE', `${base}/empty`)).toBeUndefined();
    expect(seen).toEqual([
      { method: 'POST', url: '/ok', csrf: CSRF_VALUE, type: 'application/json', body: '{"dryRun":true}' },
      { method: 'DELETE', url: '/empty', csrf: CSRF_VALUE, type: undefined, body: '' },
    ]);
  });
  it("throws MutationError with the server's words and code", async () => {
    const err = await sendJson('POST', `${base}/refused`, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MutationError);
    expect(err).toMatchObject({ status: 409, message: 'node is busy', code: 'active' });
  });
});

describe('withQuery', () => {
  it('leaves out undefined, null and empty parameters, and the "?" when none is left', () => {
    expect(withQuery('/p', { a: 'x y', b: undefined, c: null, d: '', e: 0 })).toBe('/p?a=x+y&e=0');
    expect(withQuery('/p', { b: undefined })).toBe('/p');
  });
});
