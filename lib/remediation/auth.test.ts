// Who may remediate, through the real handlers: viewers get 403; proxy headers count only with
// VETHWATCH_TRUSTED_PROXY and the operator group; the operator bearer token; the browser session it buys; and CSRF
// refusals for cookie- and proxy-authenticated mutations.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { checkCsrf, identify } from '../auth/operator';
import { signSession, verifySession } from '../auth/session';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
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

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
});
afterAll(async () => {
  await cluster.close();
});

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

  it('gives viewers 403 on every mutation, and says so in /me', async () => {
    const ctx = ctxOf(runtime);
    const me = await meOf(ctx, sameOrigin);
    expect(me).toMatchObject({ user: null, role: 'viewer', via: 'anonymous', canRemediate: false, executor: 'kubernetes', sessionLogin: true });
    const r = await preview(ctx, sameOrigin);
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toMatch(/only operators may remediate/);
    expect((await handleFleetPost(request('/api/v1/remediations/fleet', { body: { dryRun: true }, headers: sameOrigin }), ctx)).status).toBe(403);
    expect((await handleSettingsPut(request('/api/v1/remediation-settings', { method: 'PUT', body: { paused: true, reason: 'x' }, headers: sameOrigin }), ctx)).status).toBe(403);
    // Nothing was planned or audited for a refused caller.
    expect(cluster.fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
    expect(((await (await handleAuditGet(request('/api/v1/audit'), ctx)).json()) as AuditPage).entries).toEqual([]);
  });

  it('ignores proxy headers unless VETHWATCH_TRUSTED_PROXY is set, then requires the operator group', async () => {
    const proxied = { ...sameOrigin, 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'dev, vethwatch-operators' };
    const untrusted = ctxOf(runtime, testAuth());
    expect(await meOf(untrusted, proxied)).toMatchObject({ user: null, role: 'viewer', via: 'anonymous' });
    expect((await preview(untrusted, proxied)).status).toBe(403);

    const trusted = ctxOf(runtime, testAuth({ VETHWATCH_TRUSTED_PROXY: '1' }));
    expect(await meOf(trusted, proxied)).toMatchObject({ user: 'alice', groups: ['dev', 'vethwatch-operators'], role: 'operator', via: 'proxy', canRemediate: true });
    expect((await preview(trusted, proxied)).status).toBe(200);

    const bob = { ...sameOrigin, 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'dev' };
    expect(await meOf(trusted, bob)).toMatchObject({ user: 'bob', role: 'viewer', via: 'proxy' });
    const r = await preview(trusted, bob);
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toContain('bob is not in the vethwatch-operators group');

    const custom = ctxOf(runtime, testAuth({ VETHWATCH_TRUSTED_PROXY: 'true', VETHWATCH_OPERATOR_GROUP: 'sre' }));
    expect((await meOf(custom, proxied)).role).toBe('viewer');
    expect((await meOf(custom, { 'x-forwarded-user': 'carol', 'x-forwarded-groups': 'sre' })).role).toBe('operator');

    // Proxy identities ride on browser cookies too, so their mutations need the CSRF proof.
    const noCsrf = { 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'vethwatch-operators' };
    expect((await preview(trusted, noCsrf)).status).toBe(403);

    const audit = ((await (await handleAuditGet(request('/api/v1/audit'), trusted)).json()) as AuditPage).entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'alice', via: 'proxy', action: 'preview', node: NODE });
  });

  it('accepts the operator bearer token without CSRF headers and refuses a wrong one with 401', async () => {
    const ctx = ctxOf(runtime);
    expect((await preview(ctx, asToken)).status).toBe(200);
    const wrong = await preview(ctx, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const none = ctxOf(runtime, testAuth({ VETHWATCH_OPERATOR_TOKEN: '' }));
    expect((await preview(none, asToken)).status).toBe(401);
  });

  it('turns the operator token into a session cookie that works only with the CSRF proof', async () => {
    const ctx = ctxOf(runtime);
    // Logging in needs the CSRF proof as well, and the right token.
    expect((await handleSessionLogin(request('/api/v1/session', { body: { token: OPERATOR_TOKEN } }), ctx)).status).toBe(403);
    expect((await handleSessionLogin(request('/api/v1/session', { body: { token: 'wrong' }, headers: sameOrigin }), ctx)).status).toBe(401);
    const login = await handleSessionLogin(request('/api/v1/session', { body: { token: OPERATOR_TOKEN }, headers: sameOrigin }), ctx);
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^vethwatch_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0];
    expect(((await login.json()) as MeResponse)).toMatchObject({ role: 'operator', via: 'session' });

    expect(await meOf(ctx, { cookie })).toMatchObject({ role: 'operator', via: 'session', user: 'operator-token' });
    expect((await preview(ctx, { ...sameOrigin, cookie })).status).toBe(200);

    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, /x-vethwatch-csrf/],
      [{ cookie, ...sameOrigin, 'sec-fetch-site': 'cross-site' }, /Sec-Fetch-Site is cross-site/],
      [{ cookie, ...sameOrigin, 'sec-fetch-site': 'same-site' }, /Sec-Fetch-Site is same-site/],
      [{ cookie, ...sameOrigin, origin: 'http://evil.test' }, /Origin http:\/\/evil.test is not this site/],
      [{ cookie, ...sameOrigin, origin: 'null' }, /Origin null is not this site/],
    ];
    for (const [headers, why] of refusals) {
      const r = await preview(ctx, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(await errorOf(r)).toMatch(why);
    }

    // A forged or tampered cookie is no session; changing the operator token ends every session.
    const [body, mac] = cookie.split('=')[1].split('.');
    expect(await meOf(ctx, { cookie: `vethwatch_session=${body}.${mac.slice(0, -2)}xx` })).toMatchObject({ role: 'viewer' });
    const rotated = ctxOf(runtime, testAuth({ VETHWATCH_OPERATOR_TOKEN: 'a-new-token' }));
    expect(await meOf(rotated, { cookie })).toMatchObject({ role: 'viewer' });

    const logout = await handleSessionLogout(request('/api/v1/session', { method: 'DELETE', headers: { ...sameOrigin, cookie } }), ctx);
    expect(logout.headers.get('set-cookie')).toMatch(/^vethwatch_session=; .*Max-Age=0/);
  });

  it('expires sessions and checks the Host against Origin', () => {
    const secret = Buffer.from('s');
    const v = signSession('operator-token', secret, 'tok', Date.parse('2026-01-01T00:00:00Z'));
    expect(verifySession(v, secret, 'tok', Date.parse('2026-01-01T11:00:00Z'))).toBe('operator-token');
    expect(verifySession(v, secret, 'tok', Date.parse('2026-01-01T12:00:01Z'))).toBeNull();
    expect(verifySession(v, Buffer.from('other'), 'tok', Date.parse('2026-01-01T01:00:00Z'))).toBeNull();
    const auth = testAuth({ VETHWATCH_TRUSTED_PROXY: '1' });
    const h = (o: Record<string, string>) => new Headers({ 'x-vethwatch-csrf': '1', ...o });
    expect(() => checkCsrf(h({ host: 'internal:3000', 'x-forwarded-host': 'vw.example.com', origin: 'https://vw.example.com' }), auth)).not.toThrow();
    expect(() => checkCsrf(h({ host: 'internal:3000', origin: 'https://vw.example.com' }), auth)).toThrow(/not this site/);
    expect(() => checkCsrf(h({ host: 'vethwatch.test' }), auth)).not.toThrow(); // a non-browser client
    expect(identify(new Headers({ 'x-forwarded-user': 'x', 'x-forwarded-groups': 'vethwatch-operators' }), testAuth()).role).toBe('viewer');
  });
});
