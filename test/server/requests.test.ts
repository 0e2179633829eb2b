// Request bodies are capped by the custom server before any handler can buffer them, on every route, and every
// answer carries the security headers. Real server (child process, API only: the route handlers behind the cap are
// the API-only router's, which sits exactly where Next's handler sits), raw sockets for what fetch will not send.
import fs from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER_MS } from '@/lib/http/node';
import { CONTENT_SECURITY_POLICY } from '@/lib/http/securityHeaders';
import { CSRF_HEADER, CSRF_VALUE } from '@/lib/remediation/types';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const AGENT_TOKEN = 'requests-test-agent-token-0123';
const OPERATOR_TOKEN = 'requests-test-operator-token-0123';
const MB = 1024 * 1024;
const HUGE = 150 * MB;

let server: ServerProcess;
let dir: string;
let port: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-requests-'));
  server = await startServerProcess({
    HOME: dir,
    VETHWATCH_KUBE: '0',
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    VETHWATCH_AGENT_TOKEN: AGENT_TOKEN,
    VETHWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
  });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The server's resident memory, from /proc. */
function rssBytes(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/**
 * Sends `head` and then up to `total` body bytes as fast as the server takes them (chunked framing when asked),
 * reading the answer; resolves when the server closes the connection (or everything was sent and answered).
 */
function upload(head: string, total: number, chunked: boolean): Promise<{ answer: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const piece = Buffer.alloc(Math.min(MB, total), 0x7b);
    const frame = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    let answer = '';
    let sent = 0;
    let done = false;
    const timer = setTimeout(() => reject(new Error(`no end after 30 s; answer so far: ${answer.slice(0, 200)}`)), 30_000);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ answer, sent });
    };
    socket.setEncoding('utf8');
    socket.on('data', (d) => (answer += d));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(head);
    const pump = () => {
      while (!done && !socket.destroyed && sent < total) {
        sent += piece.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      if (sent >= total && !socket.destroyed) socket.end(chunked ? '0\r\n\r\n' : '');
    };
    pump();
  });
}

const head = (method: string, target: string, headers: Record<string, string | number>) =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** A POST without a length (chunked framing), its pieces written a moment apart. */
function postChunked(target: string, headers: Record<string, string>, pieces: string[]): Promise<{ status: number; cookie: string[] | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${target}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, cookie: res.headers['set-cookie'], text }));
    });
    req.on('error', reject);
    const next = (i: number) => {
      if (i === pieces.length) return void req.end();
      req.write(pieces[i]);
      setTimeout(() => next(i + 1), 20);
    };
    next(0);
  });
}

describe('request bodies are capped before anything buffers them', () => {
  // The sign-in endpoint (a route handler reading JSON) and a route that never reads a body at all: the cap is the
  // server's, not the handler's.
  const targets = ['/api/v1/session', '/api/v1/nodes/node-1'];

  /** The same refusal with a small overshoot first, so the measurement sees the upload, not first-use warm-up. */
  const warmUp = async (target: string) => {
    const res = await upload(head('POST', target, { 'content-type': 'application/json', 'content-length': 100_000, [CSRF_HEADER]: CSRF_VALUE }), 100_000, false);
    expect(res.answer).toMatch(/^HTTP\/1\.1 413 /);
  };

  it.each(targets)('%s: a declared 150 MB body gets 413 at once, and the server does not grow', async (target) => {
    await warmUp(target);
    const before = rssBytes();
    const res = await upload(head('POST', target, { 'content-type': 'application/json', 'content-length': HUGE, [CSRF_HEADER]: CSRF_VALUE }), HUGE, false);
    expect(res.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(res.answer).toContain('{"error":"request body exceeds 65536 bytes"}');
    expect(rssBytes() - before).toBeLessThan(8 * MB);
  });

  it.each(targets)('%s: a chunked 150 MB body gets 413 after 64 KiB, cut off after the lingering close', async (target) => {
    await warmUp(target);
    const before = rssBytes();
    const started = Date.now();
    const res = await upload(head('POST', target, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', [CSRF_HEADER]: CSRF_VALUE }), HUGE, true);
    expect(res.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(res.answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(res.answer).toContain('{"error":"request body exceeds 65536 bytes"}');
    expect(Date.now() - started).toBeLessThan(LINGER_MS + 5000);
    expect(rssBytes() - before).toBeLessThan(8 * MB);
  });

  it('a report keeps its 2 MiB cap: 3 MiB declared is 413 before the token is even looked at', async () => {
    const res = await upload(head('POST', '/api/v1/reports', { 'content-type': 'application/json', 'content-length': 3 * MB }), 3 * MB, false);
    expect(res.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(res.answer).toContain(`{"error":"request body exceeds ${2 * MB} bytes"}`);
  });

  it('GET and HEAD may carry no body: declared or chunked, 413', async () => {
    for (const [method, headers] of [
      ['GET', { 'content-length': 1 }],
      ['GET', { 'transfer-encoding': 'chunked' }],
      ['HEAD', { 'content-length': 1 }],
    ] as const) {
      const res = await upload(head(method, '/api/v1/nodes', headers), 1, 'transfer-encoding' in headers);
      expect(res.answer, `${method} ${JSON.stringify(headers)}`).toMatch(/^HTTP\/1\.1 413 /);
    }
    expect((await fetch(`${server.url}/api/v1/nodes`)).status).toBe(200);
  });

  it('a chunked body within the cap reaches the handler whole: the operator signs in', async () => {
    const body = JSON.stringify({ token: OPERATOR_TOKEN });
    const answer = await postChunked('/api/v1/session', { 'content-type': 'application/json', [CSRF_HEADER]: CSRF_VALUE, 'sec-fetch-site': 'same-origin' }, [body.slice(0, 5), body.slice(5, 12), body.slice(12)]);
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ role: 'operator' });
    expect(answer.cookie?.length).toBe(1);
  });

  it('a body of exactly the cap passes it, declared or chunked; one byte more does not', async () => {
    const json = JSON.stringify({ token: OPERATOR_TOKEN });
    const exact = json + ' '.repeat(64 * 1024 - json.length); // trailing whitespace: still the same JSON
    const headers = { 'content-type': 'application/json', [CSRF_HEADER]: CSRF_VALUE, 'sec-fetch-site': 'same-origin' };
    const declared = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers, body: exact });
    expect(declared.status, await declared.clone().text()).toBe(200);
    const chunked = await postChunked('/api/v1/session', headers, [exact.slice(0, 1000), exact.slice(1000, 40_000), exact.slice(40_000)]);
    expect(chunked.status, chunked.text).toBe(200);
    expect((await postChunked('/api/v1/session', headers, [exact, ' '])).status).toBe(413);
    const over = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers, body: exact + ' ' });
    expect(over.status).toBe(413);
  });
});

describe('security headers', () => {
  const expectSecure = (res: Response, what: string) => {
    expect(res.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
  };

  it('are on every answer: lean paths, the API, errors', async () => {
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    for (const [p, status] of [
      ['/healthz', 200],
      ['/readyz', 200],
      ['/metrics', 200],
      ['/api/v1/nodes', 200],
      ['/api/v1/nodes/nobody', 404],
      ['/api/v1/me', 200],
      ['/nowhere', 404],
    ] as const) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status, p).toBe(status);
      expectSecure(res, p);
      await res.body?.cancel();
    }
    const stream = await fetch(`${server.url}/api/v1/stream`);
    expect(stream.status).toBe(200);
    expectSecure(stream, 'stream');
    await stream.body?.cancel();
    const refused = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    expectSecure(refused, 'a refused report');
  });
});
