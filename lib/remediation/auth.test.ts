// Who may remediate, through the real handlers: viewers get 403; proxy headers count only from a peer in
// VETHWATCH_TRUSTED_PROXY and with the operator group; named operators' bearer tokens; the server-side browser
// session a token buys (sign-out, expiry, credential change); failed sign-ins audited and rate limited; CSRF
// refusals for cookie- and proxy-authenticated mutations; every action audited under the operator's name.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { createSignInLimiter } from '../auth/signInLimiter';
import { PEER_ADDRESS_HEADER } from '../http/peer';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { createServerLogger, getLogger, setLogger } from '../log/logger';
import { buildReport } from '../report/fixtures';
import { testEngines, type TestStore } from '../store/testing';
import { remediationConfigFromEnv } from './config';
import {
  handleAuditGet,
  handleFleetPost,
  handleMe,
  handleNodeRemediationsPost,
  handleSessionLogin,
  handleSessionLogout,
  handleSettingsPut,
  type HandlerContext,
} from './handlers';
import type { RemediationRuntime } from './runtime';
import { asToken, ctxOf, OPERATOR_TOKEN, ORIGIN, request, sameOrigin, testAuth, testRuntime } from './testSupport';
import type { AuditPage, MeResponse } from './types';

const NODE = 'node-a';
const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const ALICE_TOKEN = 'alice-token-0123456789abcdef';
const BOB_TOKEN = 'bob-token-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const PUBLIC = { VETHWATCH_PUBLIC_URL: ORIGIN };

let cluster: FakeCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startFakeCluster();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-auth-'));
});
afterAll(async () => {
  await cluster.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function operatorsFile(lines: string): string {
  const file = path.join(dir, `operators-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, lines);
  return file;
}

describe('operator identity and CSRF', () => {
  let t: TestStore;
  let runtime: RemediationRuntime;
  const bus = createEventBus();

  beforeEach(async () => {
    t = await sqlite.open();
    runtime = testRuntime(t.store, remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'agent:test' }), bus);
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 1 }), { bus });
  });
  afterEach(async () => {
    await runtime.close();
    await t.cleanup();
  });

  const preview = (ctx: HandlerContext, headers: Record<string, string>) =>
    handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body: { dryRun: true }, headers }), NODE, ctx);
  const meOf = async (ctx: HandlerContext, headers: Record<string, string>) => (await (await handleMe(request('/api/v1/me', { headers }), ctx)).json()) as MeResponse;
  const errorOf = async (r: Response) => ((await r.json()) as { error: string }).error;
  const auditOf = async (ctx: HandlerContext) => ((await (await handleAuditGet(request('/api/v1/audit'), ctx)).json()) as AuditPage).entries;
  const login = (ctx: HandlerContext, token: string, headers: Record<string, string> = sameOrigin) => handleSessionLogin(request('/api/v1/session', { body: { token }, headers }), ctx);
  const cookieOf = (r: Response) => r.headers.get('set-cookie')!.split(';')[0];

  it('gives viewers 403 on every mutation, and says so in /me', async () => {
    const ctx = ctxOf(runtime, testAuth(PUBLIC));
    const me = await meOf(ctx, sameOrigin);
    expect(me).toMatchObject({ user: null, role: 'viewer', via: 'anonymous', canRemediate: false, executor: 'kubernetes', sessionLogin: true, operatorsConfigured: true });
    const r = await preview(ctx, sameOrigin);
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toMatch(/only operators may remediate; sign in/);
    expect((await handleFleetPost(request('/api/v1/remediations/fleet', { body: { dryRun: true }, headers: sameOrigin }), ctx)).status).toBe(403);
    expect((await handleSettingsPut(request('/api/v1/remediation-settings', { method: 'PUT', body: { paused: true, reason: 'x' }, headers: sameOrigin }), ctx)).status).toBe(403);
    // Nothing was planned or audited for a refused caller.
    expect(cluster.fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
    expect(await auditOf(ctx)).toEqual([]);
  });

  it('without any operator credential everyone is a viewer, and /me and the refusal say so', async () => {
    const ctx = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_OPERATOR_TOKEN: '' }));
    expect(await meOf(ctx, sameOrigin)).toMatchObject({ role: 'viewer', sessionLogin: false, operatorsConfigured: false });
    const r = await preview(ctx, sameOrigin);
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toMatch(/no operator configured: everyone is a viewer/);
    const signIn = await login(ctx, OPERATOR_TOKEN);
    expect(signIn.status).toBe(401);
    expect(await errorOf(signIn)).toMatch(/no operator token is configured/);
  });

  it('honours proxy headers only from a peer in VETHWATCH_TRUSTED_PROXY, then requires the operator group', async () => {
    const proxied = { ...sameOrigin, 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'dev, vethwatch-operators' };
    const fromProxy = { ...proxied, [PEER_ADDRESS_HEADER]: '10.1.2.3' };
    const fromElsewhere = { ...proxied, [PEER_ADDRESS_HEADER]: '192.0.2.9' };

    const untrusted = ctxOf(runtime, testAuth(PUBLIC));
    expect(await meOf(untrusted, fromProxy)).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });
    expect((await preview(untrusted, fromProxy)).status).toBe(403);

    const trusted = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_TRUSTED_PROXY: '10.1.0.0/16, 192.0.2.1' }));
    expect(await meOf(trusted, fromProxy)).toMatchObject({ user: 'alice', groups: ['dev', 'vethwatch-operators'], role: 'operator', via: 'proxy', canRemediate: true });
    expect((await preview(trusted, fromProxy)).status).toBe(200);
    // The same headers from a peer outside the list, or with no peer known at all, are nobody's.
    expect(await meOf(trusted, fromElsewhere)).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });
    expect(await meOf(trusted, proxied)).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });
    expect((await preview(trusted, fromElsewhere)).status).toBe(403);

    const bob = { ...sameOrigin, [PEER_ADDRESS_HEADER]: '10.1.9.9', 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'dev' };
    expect(await meOf(trusted, bob)).toMatchObject({ user: 'bob', role: 'viewer', via: 'proxy' });
    const r = await preview(trusted, bob);
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toContain('bob is not in the vethwatch-operators group');

    const custom = ctxOf(runtime, testAuth({ VETHWATCH_TRUSTED_PROXY: '10.1.2.3', VETHWATCH_OPERATOR_GROUP: 'sre' }));
    expect((await meOf(custom, fromProxy)).role).toBe('viewer');
    expect((await meOf(custom, { [PEER_ADDRESS_HEADER]: '10.1.2.3', 'x-forwarded-user': 'carol', 'x-forwarded-groups': 'sre' })).role).toBe('operator');
    // IPv4-mapped IPv6, as a dual-stack listener reports the peer.
    expect((await meOf(custom, { [PEER_ADDRESS_HEADER]: '::ffff:10.1.2.3', 'x-forwarded-user': 'carol', 'x-forwarded-groups': 'sre' })).role).toBe('operator');

    // Proxy identities ride on what browsers send by themselves, so their mutations need the CSRF proof.
    const noCsrf = { [PEER_ADDRESS_HEADER]: '10.1.2.3', 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'vethwatch-operators' };
    expect((await preview(trusted, noCsrf)).status).toBe(403);

    const audit = await auditOf(trusted);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'alice', via: 'proxy', action: 'preview', node: NODE });
  });

  it('logs identity headers from an untrusted peer as a warning, without their values', async () => {
    const lines: string[] = [];
    const before = getLogger();
    setLogger(createServerLogger({ destination: { write: (l: string) => void lines.push(l) } }));
    try {
      const ctx = ctxOf(runtime, testAuth({ VETHWATCH_TRUSTED_PROXY: '10.1.2.3' }));
      await meOf(ctx, { [PEER_ADDRESS_HEADER]: '192.0.2.9', 'x-forwarded-user': 'mallory-claims', 'x-forwarded-groups': 'vethwatch-operators' });
      await meOf(ctx, { [PEER_ADDRESS_HEADER]: '192.0.2.9' }); // nothing to warn about
    } finally {
      setLogger(before);
    }
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', peer: '192.0.2.9', headers: ['x-forwarded-user', 'x-forwarded-groups'] });
    expect(lines[0]).not.toContain('mallory-claims');
  });

  it('knows named operators by their tokens and audits their actions under their names', async () => {
    const file = operatorsFile(`# the on-call people\nalice: ${sha(ALICE_TOKEN)}\n\nbob: ${sha(BOB_TOKEN).toUpperCase()}\n`);
    const ctx = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_OPERATORS_FILE: file }));
    expect(await meOf(ctx, { authorization: `Bearer ${ALICE_TOKEN}` })).toMatchObject({ user: 'alice', role: 'operator', via: 'token' });
    expect(await meOf(ctx, { authorization: `Bearer ${BOB_TOKEN}` })).toMatchObject({ user: 'bob', role: 'operator', via: 'token' });
    expect(await meOf(ctx, asToken)).toMatchObject({ user: 'operator', role: 'operator', via: 'token' });
    expect((await preview(ctx, { authorization: `Bearer ${ALICE_TOKEN}` })).status).toBe(200);
    const bobLogin = await login(ctx, BOB_TOKEN);
    expect(bobLogin.status).toBe(200);
    expect((await preview(ctx, { ...sameOrigin, cookie: cookieOf(bobLogin) })).status).toBe(200);
    expect((await handleSettingsPut(request('/api/v1/remediation-settings', { method: 'PUT', body: { paused: true, reason: 'maintenance' }, headers: asToken }), ctx)).status).toBe(200);
    const audit = (await auditOf(ctx)).reverse();
    expect(audit.map((e) => [e.actor, e.via, e.action])).toEqual([
      ['alice', 'token', 'preview'],
      ['bob', 'session', 'login'],
      ['bob', 'session', 'preview'],
      ['operator', 'token', 'pause'],
    ]);
  });

  it('accepts an operator bearer token without CSRF headers and refuses a wrong one with 401', async () => {
    const ctx = ctxOf(runtime);
    expect((await preview(ctx, asToken)).status).toBe(200);
    const wrong = await preview(ctx, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const none = ctxOf(runtime, testAuth({ VETHWATCH_OPERATOR_TOKEN: '' }));
    expect((await preview(none, asToken)).status).toBe(401);
  });

  it('keeps sessions server-side: the cookie is a random id, signing out ends every copy, a new token ends them all', async () => {
    const ctx = ctxOf(runtime, testAuth(PUBLIC));
    // Signing in needs the CSRF proof as well, and the right token.
    expect((await login(ctx, OPERATOR_TOKEN, {})).status).toBe(403);
    const r = await login(ctx, OPERATOR_TOKEN);
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^vethwatch_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const cookie = cookieOf(r);
    const id = cookie.split('=')[1];
    // The store has the id's hash, never the id.
    const stored = await t.store.sessions.get(sha(id), new Date().toISOString());
    expect(stored).toMatchObject({ operator: 'operator' });
    expect(JSON.stringify(stored)).not.toContain(id);

    expect(await meOf(ctx, { cookie })).toMatchObject({ role: 'operator', via: 'session', user: 'operator' });
    expect((await preview(ctx, { ...sameOrigin, cookie })).status).toBe(200);
    // A made-up id of the right shape is no session.
    expect(await meOf(ctx, { cookie: `vethwatch_session=${'A'.repeat(43)}` })).toMatchObject({ role: 'viewer' });

    // Changing the operator's token (a new config, as after a restart) ends the session; so does removing it.
    const second = cookieOf(await login(ctx, OPERATOR_TOKEN));
    const rotated = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_OPERATOR_TOKEN: 'a-brand-new-operator-token' }));
    expect(await meOf(rotated, { cookie: second })).toMatchObject({ role: 'viewer' });
    expect(await meOf(ctx, { cookie: second })).toMatchObject({ role: 'viewer' }); // deleted, not merely ignored
    const third = cookieOf(await login(ctx, OPERATOR_TOKEN));
    const file = operatorsFile(`alice: ${sha(ALICE_TOKEN)}\n`);
    const removed = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_OPERATOR_TOKEN: '', VETHWATCH_OPERATORS_FILE: file }));
    expect(await meOf(removed, { cookie: third })).toMatchObject({ role: 'viewer' });

    // Signing in again from a browser that has a session replaces it.
    const again = await login(ctx, OPERATOR_TOKEN, { ...sameOrigin, cookie: third });
    expect(await meOf(ctx, { cookie: cookieOf(again) })).toMatchObject({ role: 'operator' });
    const fourth = cookieOf(await login(ctx, OPERATOR_TOKEN));
    await login(ctx, OPERATOR_TOKEN, { ...sameOrigin, cookie: fourth });
    expect(await meOf(ctx, { cookie: fourth })).toMatchObject({ role: 'viewer' });

    // Signing out deletes the session: a copy of the cookie kept elsewhere stops working too.
    const logout = await handleSessionLogout(request('/api/v1/session', { method: 'DELETE', headers: { ...sameOrigin, cookie } }), ctx);
    expect(logout.status).toBe(200);
    expect(logout.headers.get('set-cookie')).toMatch(/^vethwatch_session=; .*Max-Age=0/);
    expect(await meOf(ctx, { cookie })).toMatchObject({ role: 'viewer', via: 'anonymous' });
    expect((await preview(ctx, { ...sameOrigin, cookie })).status).toBe(403);
    expect((await auditOf(ctx)).map((e) => e.action)).toContain('logout');
  });

  it('expires sessions after VETHWATCH_SESSION_TTL_HOURS', async () => {
    const ctx = ctxOf(runtime, testAuth({ ...PUBLIC, VETHWATCH_SESSION_TTL_HOURS: '0.0005' })); // 1.8 s
    const r = await login(ctx, OPERATOR_TOKEN);
    expect(r.headers.get('set-cookie')).toMatch(/; Max-Age=1$/);
    const cookie = cookieOf(r);
    expect(await meOf(ctx, { cookie })).toMatchObject({ role: 'operator' });
    const row = await t.store.sessions.get(sha(cookie.split('=')[1]), new Date().toISOString());
    // Read as of the expiry instant: gone.
    expect(await t.store.sessions.get(row!.idHash, row!.expiresAt)).toBeNull();
    expect(Date.parse(row!.expiresAt) - Date.parse(row!.createdAt)).toBe(1800);
  });

  it('makes the cookie Secure when VETHWATCH_PUBLIC_URL is https', async () => {
    const ctx = ctxOf(runtime, testAuth({ VETHWATCH_PUBLIC_URL: 'https://vw.example.com' }));
    const headers = { ...sameOrigin, origin: 'https://vw.example.com' };
    const r = await login(ctx, OPERATOR_TOKEN, headers);
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/; Secure$/);
    const out = await handleSessionLogout(request('/api/v1/session', { method: 'DELETE', headers: { ...headers, cookie: cookieOf(r) } }), ctx);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0; Secure$/);
    const plain = await login(ctxOf(runtime, testAuth(PUBLIC)), OPERATOR_TOKEN);
    expect(plain.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('audits failed sign-ins with the client address and reason, and answers 429 after repeated failures', async () => {
    const signIns = createSignInLimiter({ maxFailures: 3 });
    const ctx: HandlerContext = { ...ctxOf(runtime, testAuth(PUBLIC)), signIns };
    const from = (addr: string) => ({ ...sameOrigin, [PEER_ADDRESS_HEADER]: addr });
    for (let i = 0; i < 3; i++) expect((await login(ctx, 'wrong-token-guess', from('192.0.2.7'))).status).toBe(401);
    const blocked = await login(ctx, OPERATOR_TOKEN, from('192.0.2.7'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('set-cookie')).toBeNull();
    // Another address is not held back, and no peer header at all counts as one "unknown" client.
    expect((await login(ctx, OPERATOR_TOKEN, from('192.0.2.8'))).status).toBe(200);
    expect((await login(ctx, 'wrong', sameOrigin)).status).toBe(401);

    const failed = (await auditOf(ctx)).filter((e) => e.action === 'login-failed');
    expect(failed).toHaveLength(4);
    expect(failed[3]).toMatchObject({ actor: 'anonymous', via: 'anonymous', result: 'invalid operator token', detail: 'client 192.0.2.7 (sign-in)' });
    expect(Date.parse(failed[3].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(failed[0]).toMatchObject({ detail: 'client unknown (sign-in)' });
    expect(JSON.stringify(failed)).not.toContain('wrong-token-guess');
  });

  it('counts and audits wrong bearer tokens like failed sign-ins, and refuses a throttled client even the right token', async () => {
    const signIns = createSignInLimiter({ maxFailures: 2 });
    const ctx: HandlerContext = { ...ctxOf(runtime, testAuth(PUBLIC)), signIns };
    const from = (addr: string, token: string) => ({ [PEER_ADDRESS_HEADER]: addr, authorization: `Bearer ${token}` });
    expect((await handleMe(request('/api/v1/me', { headers: from('192.0.2.7', 'guess-one') }), ctx)).status).toBe(401);
    expect((await preview(ctx, from('192.0.2.7', 'guess-two'))).status).toBe(401);
    const blocked = await preview(ctx, from('192.0.2.7', OPERATOR_TOKEN));
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).not.toBeNull();
    expect((await preview(ctx, from('192.0.2.8', OPERATOR_TOKEN))).status).toBe(200);
    const failed = (await auditOf(ctx)).filter((e) => e.action === 'login-failed');
    expect(failed.map((e) => [e.result, e.detail])).toEqual([
      ['invalid operator token', 'client 192.0.2.7 (bearer token)'],
      ['invalid operator token', 'client 192.0.2.7 (bearer token)'],
    ]);
    expect(JSON.stringify(failed)).not.toContain('guess-');
  });

  it('refuses cookie mutations from anywhere but our own origins, including DNS rebinding', async () => {
    const ctx = ctxOf(runtime, testAuth(PUBLIC));
    const cookie = cookieOf(await login(ctx, OPERATOR_TOKEN));
    expect((await preview(ctx, { ...sameOrigin, cookie })).status).toBe(200);
    // No Origin, but the browser's own Sec-Fetch-Site: same-origin vouches for it.
    expect((await preview(ctx, { 'x-vethwatch-csrf': '1', 'sec-fetch-site': 'same-origin', cookie })).status).toBe(200);
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, /x-vethwatch-csrf/],
      [{ cookie, ...sameOrigin, 'sec-fetch-site': 'cross-site' }, /Sec-Fetch-Site is cross-site/],
      [{ cookie, ...sameOrigin, 'sec-fetch-site': 'same-site' }, /Sec-Fetch-Site is same-site/],
      [{ cookie, ...sameOrigin, origin: 'http://evil.test' }, /Origin http:\/\/evil.test is not this site/],
      [{ cookie, ...sameOrigin, origin: 'null' }, /Origin null is not this site/],
      // DNS rebinding: evil.test resolves to us, so Host and Origin agree, and both are foreign.
      [{ cookie, ...sameOrigin, host: 'evil.test', origin: 'http://evil.test' }, /Origin http:\/\/evil.test is not this site/],
      // No Origin and no Sec-Fetch-Site: nothing says a page of ours sent it.
      [{ cookie, 'x-vethwatch-csrf': '1' }, /no Origin header/],
    ];
    for (const [headers, why] of refusals) {
      const r = await preview(ctx, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(await errorOf(r)).toMatch(why);
    }
  });
});
