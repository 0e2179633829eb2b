import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyStatus, reportsUrl, sendReport } from './send';

describe('classifyStatus', () => {
  it.each([
    [202, 'accepted'],
    [200, 'accepted'],
    [400, 'rejected'],
    [413, 'rejected'],
    [422, 'rejected'],
    [401, 'refused'],
    [403, 'refused'],
    [404, 'refused'],
    [301, 'refused'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
  ] as const)('%i -> %s', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });
});

describe('reportsUrl', () => {
  it('appends the API path, keeping a mount prefix', () => {
    expect(reportsUrl(new URL('http://h:3000')).href).toBe('http://h:3000/api/v1/reports');
    expect(reportsUrl(new URL('http://h:3000/')).href).toBe('http://h:3000/api/v1/reports');
    expect(reportsUrl(new URL('https://h/vethwatch')).href).toBe('https://h/vethwatch/api/v1/reports');
  });
});

// A tiny local HTTP peer for what the real server cannot be made to do on demand: hang, or answer 503.
describe('sendReport over HTTP', () => {
  let server: Server;
  let base: URL;
  const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
  let respond: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        respond(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('POSTs the body with the bearer token and reads a duplicate acknowledgement', async () => {
    respond = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true,"duplicate":true}');
    const out = await sendReport({ server: base, token: 'tok', body: '{"x":1}', timeoutMs: 2000 });
    expect(out).toEqual({ kind: 'accepted', status: 200, duplicate: true });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/api/v1/reports', auth: 'Bearer tok', type: 'application/json', body: '{"x":1}' });
  });

  it('returns the answer of a rejection and retries a 503', async () => {
    respond = (_req, res) => res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"invalid report","issues":[]}');
    expect(await sendReport({ server: base, token: 't', body: '{}', timeoutMs: 2000 })).toEqual({
      kind: 'rejected',
      status: 422,
      answer: { error: 'invalid report', issues: [] },
    });
    respond = (_req, res) => res.writeHead(503).end('busy');
    expect(await sendReport({ server: base, token: 't', body: '{}', timeoutMs: 2000 })).toEqual({ kind: 'retry', status: 503, error: 'HTTP 503' });
  });

  it('gives up on a server that does not answer in time', async () => {
    respond = () => undefined; // never answers
    const out = await sendReport({ server: base, token: 't', body: '{}', timeoutMs: 200 });
    expect(out).toEqual({ kind: 'retry', status: null, error: 'no answer within 200 ms' });
  });

  it('reports a refused connection as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const out = await sendReport({ server: new URL(`http://127.0.0.1:${port}`), token: 't', body: '{}', timeoutMs: 2000 });
    expect(out).toMatchObject({ kind: 'retry', status: null, error: 'ECONNREFUSED' });
  });
});
