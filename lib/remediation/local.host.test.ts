// The local executor end to end, for real: the lab (3 pods, 1 broken by real udev), the real custom server running
// as an unprivileged user (nobody), and the real agent in run mode as root with --remediate, as `npm start` runs it.
// The agent's reports reach the server, a preview through the API carries the plan id the agent computes itself,
// apply hands the run to the agent (the server spawns nothing and cannot touch the host), the agent claims it over
// /api/v1/agent/, repairs the pod, posts its result, and its next report verifies it. Runs under the host lock
// (vitest.host.config.ts); everything is undone in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT } from './dropIn';
import { labDown, labUp, readLabState, type LabState } from '../../agent/lab/lab';
import { buildReport } from '../report/fixtures';
import type { ApplyResponse, AuditPage, MeResponse, PlanPreview, RemediationRecord } from './types';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
const DROP_IN_DIR = path.dirname(DROP_IN);
const NODE = `vwt-node-${randomBytes(3).toString('hex')}`;
const AGENT_TOKEN = `agent-${randomBytes(8).toString('hex')}`;
const OPERATOR_TOKEN = `op-${randomBytes(8).toString('hex')}`;

let lab: LabState | null = null;
let tmp = '';
let server: ChildProcess | null = null;
let agent: ChildProcess | null = null;
let agentLog = '';
let url = '';
let dropInDirExisted = false;
let serverLog = '';

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NODE_NAME: NODE, VETHWATCH_KUBE: '0', ...extra };
  delete e.KUBECONFIG;
  delete e.DATABASE_URL;
  delete e.KUBERNETES_SERVICE_HOST;
  return e;
}

async function startServer(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO,
    uid: UNPRIVILEGED,
    gid: UNPRIVILEGED,
    env: env({
      HOME: tmp,
      PORT: '0',
      HOST: '127.0.0.1',
      VETHWATCH_NEXT: '0',
      VETHWATCH_DB: path.join(tmp, 'vethwatch.db'),
      VETHWATCH_AGENT_TOKEN: AGENT_TOKEN,
      VETHWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverLog}`)), 60_000);
    const onData = (b: Buffer) => {
      serverLog += b.toString();
      const m = /vethwatch listening on (http:\/\/[^\s"]+)/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${serverLog}`)));
  });
}

/** The server runs as this user: it needs no privilege, the agent does the work. */
const UNPRIVILEGED = 65534;

const RUN_INTERVAL = 2;

/** The real agent in run mode, as root, carrying out this node's remediations (what npm start runs). */
function startAgent(): void {
  agent = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', '--server', url, '--token', AGENT_TOKEN, '--remediate', '--interval', String(RUN_INTERVAL), '--spool-dir', path.join(tmp, 'agent-spool')], {
    cwd: REPO,
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  agent.stderr!.on('data', (b: Buffer) => (agentLog = (agentLog + b.toString()).slice(-20_000)));
}

/**
 * The run-mode agent's own report is the node's latest. A second agent (--once, another interval) would describe
 * the node differently, and whichever of the two reported last would make the other's preview stale (409).
 */
async function runModeReport(): Promise<void> {
  const started = Date.now();
  await until("the run-mode agent's report", async () => {
    const { status, body } = await api<{ intervalSeconds?: number; lastReportAt?: string }>(`/api/v1/nodes/${NODE}`);
    return status === 200 && body.intervalSeconds === RUN_INTERVAL && Date.parse(body.lastReportAt ?? '') >= started ? true : null;
  });
}

/** The real agent sends one report, as the run-mode agent describes the node (same interval). */
function agentReport(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'agent/cli.ts', '--once', '--interval', String(RUN_INTERVAL), '--server', url, '--token', AGENT_TOKEN, '--spool-dir', path.join(tmp, 'spool')], {
    cwd: REPO,
    env: env(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`agent --once exited ${r.status}: ${r.stderr}\n${r.stdout}`);
}

async function api<T>(p: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${p}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${serverLog.slice(-4000)}\nagent:\n${agentLog.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function hostMac(ifname: string): string {
  const r = spawnSync('ip', ['-j', 'link', 'show', 'dev', ifname], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as Array<{ address: string }>)[0].address;
}

beforeAll(async () => {
  if (await readLabState()) throw new Error('a lab is already up; run "npm run lab -- down" first');
  await rm(DROP_IN, { force: true });
  dropInDirExisted = await stat(DROP_IN_DIR).then(() => true, () => false);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vwt-local-remediation-'));
  // The unprivileged server keeps its database here.
  await chmod(tmp, 0o777);
  lab = await labUp({ pods: 3, broken: 1 });
  url = await startServer();
  startAgent();
}, 180_000);

afterAll(async () => {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  if (agent && agent.exitCode === null) {
    await attempt('stop agent', () => new Promise<void>((resolve) => {
      agent!.once('exit', () => resolve());
      agent!.kill('SIGTERM');
      setTimeout(() => agent!.kill('SIGKILL'), 15_000).unref();
    }));
  }
  if (server && server.exitCode === null) {
    await attempt('stop server', () => new Promise<void>((resolve) => {
      server!.once('exit', () => resolve());
      server!.kill('SIGTERM');
      setTimeout(() => server!.kill('SIGKILL'), 15_000).unref();
    }));
  }
  await attempt('remove drop-in', () => rm(DROP_IN, { force: true }));
  if (!dropInDirExisted) await attempt('remove drop-in dir', () => rmdir(DROP_IN_DIR).catch((e) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))));
  await attempt('lab down', () => labDown());
  if (tmp) await attempt('remove tmp', () => rm(tmp, { recursive: true, force: true }));
  if (problems.length > 0) throw new Error(`cleanup failed: ${problems.join('; ')}`);
}, 120_000);

describe('local executor on the real lab', () => {
  let preview: PlanPreview;
  let remediationId: string;

  it('runs unprivileged, and still remediates this node through the agent on this host', async () => {
    const status = await readFile(`/proc/${server!.pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)![1]).toBe(String(UNPRIVILEGED));
    const { body } = await api<MeResponse>('/api/v1/me');
    expect(body).toMatchObject({ role: 'operator', via: 'token', executor: 'local', localNode: NODE, canRemediate: true });
  });

  it('previews the plan the agent would make itself, from the agent\'s report', async () => {
    await runModeReport();
    const res = await api<PlanPreview>(`/api/v1/nodes/${NODE}/remediations`, { body: { dryRun: true } });
    expect(res.status).toBe(200);
    preview = res.body;
    const broken = lab!.pods.find((p) => p.broken)!;
    expect(preview).toMatchObject({ executor: 'local', nothingToDo: false, blockers: [], job: null });
    expect(preview.plan.dropIn).toMatchObject({ action: 'write', path: DROP_IN, content: DROP_IN_CONTENT });
    expect(preview.plan.repairs).toEqual([expect.objectContaining({ hostIfname: broken.hostIfname, method: 'set-host-mac', to: broken.gatewayLladdr })]);
    expect(preview.command).toEqual(['agent', 'remediate', '--plan-id', preview.planId, '--node', NODE]);

    // The agent's own --dry-run on this host computes the same id (so its --plan-id check will accept it).
    const dry = spawnSync(process.execPath, ['--import', 'tsx', 'agent/cli.ts', 'remediate', '--dry-run', '--node', NODE, '--termination-log', ''], { cwd: REPO, env: env(), encoding: 'utf8' });
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).id).toBe(preview.planId);
    expect(await stat(DROP_IN).then(() => true, () => false)).toBe(false);
  });

  it('refuses to remediate another host without a cluster', async () => {
    const other = buildReport({ node: `${NODE}-other`, mismatched: 1 });
    const posted = await fetch(`${url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(other) });
    expect(posted.status).toBe(202);
    const res = await api<{ error: string }>(`/api/v1/nodes/${other.node}/remediations`, { body: { dryRun: true } });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain(`only this host's node "${NODE}"`);
  });

  it('applies it: the run-mode agent claims it, repairs the pod, and its result is stored', async () => {
    const broken = lab!.pods.find((p) => p.broken)!;
    expect(hostMac(broken.hostIfname)).not.toBe(broken.gatewayLladdr);
    const res = await api<ApplyResponse>(`/api/v1/nodes/${NODE}/remediations`, { body: { planId: preview.planId } });
    expect(res.status).toBe(202);
    remediationId = res.body.remediation.id;
    expect(res.body.remediation.executor).toBe('local');
    const second = await api<{ error: string }>(`/api/v1/nodes/${NODE}/remediations`, { body: { planId: preview.planId } });
    expect(second.status).toBe(409);

    const done = await until('the local run to finish', async () => {
      const r = (await api<RemediationRecord>(`/api/v1/remediations/${remediationId}`)).body;
      return r.status === 'succeeded' || r.status === 'failed' || r.status === 'verified' ? r : null;
    });
    expect(done.error).toBeNull();
    expect(done.status).not.toBe('failed');
    expect(done.evidence).toMatchObject({ podName: 'local', exitCode: 0, terminationReason: 'Completed' });
    expect(done.evidence!.result).toMatchObject({ planId: preview.planId, node: NODE, verified: true, errors: [] });
    expect(JSON.parse(done.evidence!.terminationMessage!).planId).toBe(preview.planId);
    expect(done.verification.agent).toMatchObject({ verified: true });
    expect(hostMac(broken.hostIfname)).toBe(broken.gatewayLladdr);
    expect(await stat(DROP_IN).then(() => true, () => false)).toBe(true);
  });

  it('is verified by the agent\'s next report', async () => {
    agentReport();
    const r = await until('verification', async () => {
      const x = (await api<RemediationRecord>(`/api/v1/remediations/${remediationId}`)).body;
      return x.status === 'verified' || x.status === 'unverified' ? x : null;
    }, 30_000);
    expect(r.status).toBe('verified');
    expect(r.verification.nextReport).toMatchObject({ verified: true });

    const audit = (await api<AuditPage>('/api/v1/audit')).body.entries.filter((e) => e.node === NODE);
    // The refused second apply lands before or after 'finished', depending on how fast the agent was.
    expect(audit.map((e) => e.action).sort()).toEqual(['apply', 'finished', 'preview', 'refused', 'verified']);
    expect(audit[0].action).toBe('verified');
  });
});
