// Operator access on the real custom server over HTTP (child process, API only, SQLite): start-up refuses bad
// operator settings with a clear message; named operators by bearer token and by server-side session; sign-out
// kills the cookie; DNS rebinding refused; identity headers from a peer that is not the trusted proxy ignored and
// logged; failed sign-ins audited and answered 429 after repeated failures; no operator at all means viewers only.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, MeResponse } from '@/lib/remediation/types';
import { ServerStartError } from '../support/serverProcess';
import { eventually, startServerProcess, type ServerProcess } from '../support/serverProcess';

const ALICE_TOKEN = 'alice-token-for-http-0123456789';
const SHARED_TOKEN = 'shared-operator-token-0123456789';
const PUBLIC = 'http://vethwatch.test';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const page = { origin: PUBLIC, 'sec-fetch-site': 'same-origin', 'x-vethwatch-csrf': '1' };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** node:http rather than fetch: fetch will not send a Host header of our choosing (DNS rebinding needs one). */
function call(base: string, method: string, p: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const u = new URL(p, base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
const cookieOf = (a: Answer) => a.headers['set-cookie']![0].split(';')[0];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-people-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('start-up refuses bad operator settings', () => {
  it.each([
    [{ VETHWATCH_OPERATOR_TOKEN: 'too-short-token' }, /VETHWATCH_OPERATOR_TOKEN is shorter than 16 characters/],
    [{ VETHWATCH_TRUSTED_PROXY: '1' }, /VETHWATCH_TRUSTED_PROXY=1 no longer switches proxy trust on or off: list the proxy's addresses/],
    [{ VETHWATCH_OPERATORS_FILE: '/' }, /VETHWATCH_OPERATORS_FILE: cannot read \/: EISDIR/],
  ])('%j', async (env, why) => {
    let err: unknown;
    try {
      const s = await startServerProcess({ HOME: dir, VETHWATCH_DB: path.join(dir, `refused-${Math.random()}.db`), VETHWATCH_KUBE: '0', ...env });
      await s.stop();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServerStartError);
    expect((err as ServerStartError).output).toMatch(why);
    expect((err as ServerStartError).output).not.toContain('too-short-token');
  });
});

describe('operators over HTTP', () => {
  let server: ServerProcess;
  let operatorsFile: string;

  beforeAll(async () => {
    const file = (operatorsFile = path.join(dir, 'operators'));
    fs.writeFileSync(file, `# people\nalice: ${sha(ALICE_TOKEN)}\n`);
    server = await startServerProcess({
      HOME: dir,
      VETHWATCH_DB: path.join(dir, 'people.db'),
      VETHWATCH_KUBE: '0',
      VETHWATCH_OPERATORS_FILE: file,
      VETHWATCH_OPERATOR_TOKEN: SHARED_TOKEN,
      VETHWATCH_PUBLIC_URL: PUBLIC,
      VETHWATCH_TRUSTED_PROXY: '192.0.2.10',
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const me = async (headers: Record<string, string>) => (await call(server.url, 'GET', '/api/v1/me', headers)).body as MeResponse;

  it('knows named operators by token and by session; signing out ends the session for every copy of the cookie', async () => {
    expect(await me({ authorization: `Bearer ${ALICE_TOKEN}` })).toMatchObject({ user: 'alice', role: 'operator', via: 'token', operatorsConfigured: true });
    expect(await me({ authorization: `Bearer ${SHARED_TOKEN}` })).toMatchObject({ user: 'operator', role: 'operator', via: 'token' });
    expect((await call(server.url, 'GET', '/api/v1/me', { authorization: 'Bearer nobody-has-this-token' })).status).toBe(401);

    const login = await call(server.url, 'POST', '/api/v1/session', page, { token: ALICE_TOKEN });
    expect(login.status).toBe(200);
    expect(login.headers['set-cookie']![0]).toMatch(/^vethwatch_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const cookie = cookieOf(login);
    expect(await me({ cookie })).toMatchObject({ user: 'alice', role: 'operator', via: 'session' });

    const out = await call(server.url, 'DELETE', '/api/v1/session', { ...page, cookie });
    expect(out.status).toBe(200);
    expect(await me({ cookie })).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });

    const audit = (await call(server.url, 'GET', '/api/v1/audit')).body as AuditPage;
    expect(audit.entries.map((e) => [e.actor, e.action, e.detail?.replace(/client \S+/, 'client X')])).toEqual([
      ['alice', 'logout', undefined],
      ['alice', 'login', expect.stringMatching(/^browser session started from /)],
      ['anonymous', 'login-failed', 'client X (bearer token)'],
    ]);
  });

  it('refuses a sign-in whose Host and Origin are both foreign (DNS rebinding) and one from another site', async () => {
    const rebound = await call(server.url, 'POST', '/api/v1/session', { ...page, host: 'rebind.evil.test', origin: 'http://rebind.evil.test' }, { token: ALICE_TOKEN });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error).toMatch(/Origin http:\/\/rebind.evil.test is not this site/);
    expect(rebound.headers['set-cookie']).toBeUndefined();
    const noOrigin = await call(server.url, 'POST', '/api/v1/session', { 'x-vethwatch-csrf': '1' }, { token: ALICE_TOKEN });
    expect(noOrigin.status).toBe(403);
  });

  it('ignores identity headers from a peer that is not the trusted proxy, and logs that without their values', async () => {
    const spoofed = await me({ 'x-forwarded-user': 'mallory-was-here', 'x-forwarded-groups': 'vethwatch-operators' });
    expect(spoofed).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });
    // The child's stdout may arrive after its answer: wait for the line.
    const warned = await eventually(() => {
      const lines = server.logLines().filter((l) => l.level === 'warn' && String(l.msg).includes('ignored identity headers'));
      return lines.length > 0 ? lines : undefined;
    }, 'the warning about untrusted identity headers');
    expect(warned[0]).toMatchObject({ headers: ['x-forwarded-user', 'x-forwarded-groups'] });
    expect(server.output()).not.toContain('mallory-was-here');
  });

  it("ends an operator's sessions and token when their line leaves the operators file, without a restart", async () => {
    const login = await call(server.url, 'POST', '/api/v1/session', page, { token: ALICE_TOKEN });
    const cookie = cookieOf(login);
    expect(await me({ cookie })).toMatchObject({ user: 'alice', via: 'session' });
    fs.writeFileSync(operatorsFile, `# alice left\nbob: ${sha('bob-token-for-http-0123456789')}\n`);
    try {
      expect(await me({ cookie })).toMatchObject({ user: null, role: 'viewer' });
      expect((await call(server.url, 'GET', '/api/v1/me', { authorization: `Bearer ${ALICE_TOKEN}` })).status).toBe(401);
      expect(await me({ authorization: 'Bearer bob-token-for-http-0123456789' })).toMatchObject({ user: 'bob', role: 'operator' });
    } finally {
      fs.writeFileSync(operatorsFile, `alice: ${sha(ALICE_TOKEN)}\n`);
    }
    // Back in the file, alice's token works again; the session she had is gone for good.
    expect(await me({ authorization: `Bearer ${ALICE_TOKEN}` })).toMatchObject({ user: 'alice' });
    expect(await me({ cookie })).toMatchObject({ role: 'viewer' });
  });

  // Last: the client is blocked afterwards.
  it('audits failed sign-ins and answers 429 with Retry-After after repeated failures', async () => {
    // A successful sign-in clears this client's earlier failures (wrong bearer tokens above count too).
    expect((await call(server.url, 'POST', '/api/v1/session', page, { token: ALICE_TOKEN })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const r = await call(server.url, 'POST', '/api/v1/session', page, { token: `guess-number-${i}-xxxxxxxx` });
      expect(r.status).toBe(401);
    }
    const blocked = await call(server.url, 'POST', '/api/v1/session', page, { token: ALICE_TOKEN });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.headers['set-cookie']).toBeUndefined();
    // The client is refused before any token of theirs is looked at, through the API too.
    expect((await call(server.url, 'GET', '/api/v1/me', { authorization: `Bearer ${ALICE_TOKEN}` })).status).toBe(429);

    const failed = ((await call(server.url, 'GET', '/api/v1/audit')).body as AuditPage).entries.filter((e) => e.action === 'login-failed');
    const signIns = failed.filter((e) => e.detail?.endsWith('(sign-in)'));
    expect(signIns).toHaveLength(5);
    expect(failed.filter((e) => e.detail?.endsWith('(bearer token)')).length).toBeGreaterThan(0);
    for (const e of signIns) {
      expect(e).toMatchObject({ actor: 'anonymous', result: 'invalid operator token', detail: expect.stringMatching(/^client \S+ \(sign-in\)$/) });
      expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(60_000);
    }
    expect(JSON.stringify(failed)).not.toContain('guess-number');
  });
});

describe('a server without operators', () => {
  it('says everyone is a viewer', async () => {
    const server = await startServerProcess({ HOME: dir, VETHWATCH_DB: path.join(dir, 'viewers.db'), VETHWATCH_KUBE: '0' });
    try {
      const me = (await call(server.url, 'GET', '/api/v1/me')).body as MeResponse;
      expect(me).toMatchObject({ role: 'viewer', sessionLogin: false, operatorsConfigured: false });
      expect(server.output()).toMatch(/no operator credential .* is configured: everyone is a viewer/);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
