// The environment the manifests give the server, run for real: `kubectl kustomize` renders the overlay, the
// Deployment's env is resolved the way the kubelet would (Secrets from the values below, the ConfigMap from the
// render, Secret volumes written as files under a scratch root standing in for their mount paths), and real server
// processes start with exactly that env. Only what a test machine must change is changed: HOST (loopback), PORT
// and VETHWATCH_AGENT_PORT (0: free ports, still two listeners), DATABASE_URL (a fresh database) and the mount
// paths. Then, over HTTP: an operator from the mounted operators file signs in, the session crosses replicas, and
// agents reach only the agent port.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import { createPgDatabase } from '@/lib/store/testing';
import { startServerProcess, type ServerProcess } from '../test/support/serverProcess';
import { mountFor, podEnv, type SecretValues } from './tools/podEnv';
import { kustomize } from './tools/render';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALICE_TOKEN = 'alice-deployed-token-0123456789';
const AGENT_TOKEN = 'agent-deployed-token-0123456789';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const PLACEHOLDER_DB = 'postgres://vethwatch@db.invalid:5432/vethwatch';

// Every Secret the manifests may name, with the keys an operator creates (README "Secrets you create"). A key set
// to null is one deliberately not created. A manifest naming anything else fails podEnv().
const secrets = (): SecretValues => ({
  'vethwatch-postgres': { 'database-url': PLACEHOLDER_DB },
  'vethwatch-operators': { operators: `alice: ${sha(ALICE_TOKEN)}\n`, token: null },
  'vethwatch-agent-token': { token: AGENT_TOKEN },
});

/** The deployed env, with only the test-machine changes; asserts what it replaces is what the manifests say. */
function deployedEnv(overlay: string, root: string): Record<string, string> {
  const { env, declared, mounts } = podEnv(kustomize(overlay), 'vethwatch-server', 'server', secrets(), root);
  expect(new Set(mounts.keys())).toContain('/etc/vethwatch/operators');
  // The operators file the server is told to read lies in the Secret's mount, so the Secret's key is that file.
  expect(mountFor(declared.VETHWATCH_OPERATORS_FILE, mounts.keys())).toBe('/etc/vethwatch/operators');
  expect(fs.readFileSync(env.VETHWATCH_OPERATORS_FILE, 'utf8')).toBe(secrets()['vethwatch-operators'].operators);
  expect(declared.VETHWATCH_SESSION_SECRET).toBeUndefined();
  // Two listeners, as the Deployment's ports say.
  expect(declared.PORT).toBe('3000');
  expect(declared.VETHWATCH_AGENT_PORT).toBe('3001');
  expect(declared.HOST).toBe('0.0.0.0');
  return { ...env, HOME: root, HOST: '127.0.0.1', PORT: '0', VETHWATCH_AGENT_PORT: '0' };
}

const agentUrl = (s: ServerProcess) => /vethwatch agents listening on (http:\/\/\S+)/.exec(s.output())![1];
const pageHeaders = (origin: string) => ({ origin, 'sec-fetch-site': 'same-origin', 'x-vethwatch-csrf': '1', 'content-type': 'application/json' });

async function signIn(s: ServerProcess, env: Record<string, string>): Promise<string> {
  const origin = env.VETHWATCH_PUBLIC_URL ?? s.url;
  const res = await fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: pageHeaders(origin), body: JSON.stringify({ token: ALICE_TOKEN }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.headers.getSetCookie()[0].split(';')[0];
}
const me = async (s: ServerProcess, cookie: string) => (await (await fetch(`${s.url}/api/v1/me`, { headers: { cookie } })).json()) as Record<string, unknown>;

describe('postgres overlay: two replicas with the deployed env', () => {
  let root: string;
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-deployed-pg-'));
    db = await createPgDatabase();
    const deployed = deployedEnv(path.join(here, 'overlays/postgres'), root);
    // DATABASE_URL came from the Secret the overlay names; the test's database takes its place.
    expect(deployed.DATABASE_URL).toBe(PLACEHOLDER_DB);
    env = { ...deployed, DATABASE_URL: db.url };
    a = await startServerProcess(env); // first alone, so the migrations run once
    b = await startServerProcess(env);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('an operator from the mounted file signs in on A; the cookie works on B; signing out on B ends it on A', async () => {
    const cookie = await signIn(a, env);
    expect(await me(b, cookie)).toMatchObject({ user: 'alice', role: 'operator' });
    const origin = env.VETHWATCH_PUBLIC_URL ?? b.url;
    const out = await fetch(`${b.url}/api/v1/session`, { method: 'DELETE', headers: { ...pageHeaders(origin), cookie } });
    expect(out.status).toBe(200);
    expect(await me(a, cookie)).toMatchObject({ user: null, role: 'viewer' });
  });

  it('agents reach the agent port, and the people port refuses the agent paths (404)', async () => {
    const auth = { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' };
    const report = () => JSON.stringify(buildReport({ node: 'node-deployed' }));
    const claim = JSON.stringify({ node: 'node-deployed' });
    for (const s of [a, b]) {
      const agents = agentUrl(s);
      expect((await fetch(`${agents}/api/v1/reports`, { method: 'POST', headers: auth, body: report() })).status).toBe(202);
      expect([200, 204]).toContain((await fetch(`${agents}/api/v1/agent/remediations/claim`, { method: 'POST', headers: auth, body: claim })).status);
      for (const p of ['/healthz', '/readyz']) expect((await fetch(`${agents}${p}`)).status, p).toBe(200);

      expect((await fetch(`${s.url}/api/v1/reports`, { method: 'POST', headers: auth, body: report() })).status).toBe(404);
      expect((await fetch(`${s.url}/api/v1/agent/remediations/claim`, { method: 'POST', headers: auth, body: claim })).status).toBe(404);
      expect((await fetch(`${s.url}/api/v1/agent/verifications`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(404);
    }
    // What A's agent port took, B's people port shows: one database.
    expect((await fetch(`${b.url}/api/v1/nodes/node-deployed`)).status).toBe(200);
  });
});

describe('SQLite base: one server with the deployed env', () => {
  let root: string;
  let env: Record<string, string>;
  let s: ServerProcess;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-deployed-sqlite-'));
    env = deployedEnv(here, root);
    expect(env.DATABASE_URL).toBeUndefined();
    // The database file is on the data volume, which the test keeps under its scratch root.
    expect(env.VETHWATCH_DB).toBe(path.join(root, 'data/vethwatch.db'));
    s = await startServerProcess(env);
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts on the data volume and an operator from the mounted file signs in', async () => {
    const cookie = await signIn(s, env);
    expect(await me(s, cookie)).toMatchObject({ user: 'alice', role: 'operator' });
    expect(fs.existsSync(env.VETHWATCH_DB)).toBe(true);
  });
});

describe('tls overlay: the public URL is the origin people sign in from', () => {
  let root: string;
  let env: Record<string, string>;
  let s: ServerProcess;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-deployed-tls-'));
    env = deployedEnv(path.join(here, 'overlays/tls'), root);
    s = await startServerProcess(env);
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('signs in from VETHWATCH_PUBLIC_URL with a Secure cookie, and refuses another origin', async () => {
    expect(env.VETHWATCH_PUBLIC_URL).toMatch(/^https:\/\//);
    const res = await fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: pageHeaders(env.VETHWATCH_PUBLIC_URL), body: JSON.stringify({ token: ALICE_TOKEN }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/);
    const cookie = res.headers.getSetCookie()[0].split(';')[0];
    expect(await me(s, cookie)).toMatchObject({ user: 'alice', role: 'operator' });
    const other = await fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: pageHeaders('https://elsewhere.example'), body: JSON.stringify({ token: ALICE_TOKEN }) });
    expect(other.status).toBe(403);
  });
});

describe('the operators Secret is optional (deploy/README.md)', () => {
  it('a Secret with only `token` leaves the mounted file missing: the server starts, and the token is the operator', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-deployed-token-only-'));
    let s: ServerProcess | null = null;
    try {
      const values = { ...secrets(), 'vethwatch-operators': { operators: null, token: 'operator-deployed-token-0123456789' } };
      const { env } = podEnv(kustomize(here), 'vethwatch-server', 'server', values, root);
      expect(env.VETHWATCH_OPERATOR_TOKEN).toBe('operator-deployed-token-0123456789');
      expect(fs.existsSync(env.VETHWATCH_OPERATORS_FILE)).toBe(false);
      s = await startServerProcess({ ...env, HOME: root, HOST: '127.0.0.1', PORT: '0', VETHWATCH_AGENT_PORT: '0' });
      const res = await fetch(`${s.url}/api/v1/me`, { headers: { authorization: 'Bearer operator-deployed-token-0123456789' } });
      expect(await res.json()).toMatchObject({ user: 'operator', role: 'operator' });
    } finally {
      await s?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('no Secret at all: the server starts and everyone is a viewer', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-deployed-no-operators-'));
    let s: ServerProcess | null = null;
    try {
      const values = { ...secrets(), 'vethwatch-operators': { operators: null, token: null } };
      const { env } = podEnv(kustomize(here), 'vethwatch-server', 'server', values, root);
      s = await startServerProcess({ ...env, HOME: root, HOST: '127.0.0.1', PORT: '0', VETHWATCH_AGENT_PORT: '0' });
      expect(await (await fetch(`${s.url}/api/v1/me`)).json()).toMatchObject({ role: 'viewer', operatorsConfigured: false });
    } finally {
      await s?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
