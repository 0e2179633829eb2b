// The agent's half of the local executor against the server's real endpoints (lib/remediation/agentHttp.ts on a
// real store, over HTTP): it asks, gets its node's run, carries it out with the plan id it was given, posts the
// document back, and keeps asking. The run itself is injected here (it needs root and a lab: local.host.test.ts
// runs the real one); everything between agent and server is real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAuthenticator } from '../../lib/auth/agentIdentity';
import { createEventBus } from '../../lib/events/bus';
import { ingestReport } from '../../lib/ingest/ingestReport';
import { handleAgentApiRequest } from '../../lib/remediation/agentHttp';
import { remediationConfigFromEnv } from '../../lib/remediation/config';
import { handleNodeRemediationsPost } from '../../lib/remediation/handlers';
import type { RemediationRuntime } from '../../lib/remediation/runtime';
import { asToken, ctxOf, request, testRuntime, until } from '../../lib/remediation/testSupport';
import type { ApplyResponse, PlanPreview } from '../../lib/remediation/types';
import { buildReport } from '../../lib/report/fixtures';
import { REMEDIATION_VERSION } from '../../lib/report/remediation';
import { testEngines, type TestStore } from '../../lib/store/testing';
import { parseCommandLine, UsageError } from '../config';
import { createLogger } from '../log';
import type { RemediateArgs } from './args';
import { claimOnce, runRemediationPuller } from './pull';
import type { RemediateOutput } from './remediate';

const NODE = 'pull-node-1';
const TOKEN = 'agent-token-for-pull-tests-0123';
const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const log = createLogger({ level: 'error', write: () => undefined });

describe('the run-mode agent carrying out its node\'s remediations', () => {
  let t: TestStore;
  let runtime: RemediationRuntime;
  let server: Server;
  let url: URL;
  const bus = createEventBus();

  beforeEach(async () => {
    t = await sqlite.open();
    runtime = testRuntime(t.store, remediationConfigFromEnv({ VETHWATCH_KUBE: '0', NODE_NAME: NODE }), bus);
    const auth = createAgentAuthenticator({ sharedToken: TOKEN, reviewer: null });
    server = createServer((req, res) => void handleAgentApiRequest(req, res, (req.url ?? '/').split('?')[0], { authenticate: auth.authenticate, remediation: () => runtime.deps() }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await runtime.close();
    await t.cleanup();
  });

  async function apply(): Promise<{ id: string; planId: string }> {
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 1 }), { bus });
    const ctx = ctxOf(runtime);
    const preview = (await (await handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body: { dryRun: true }, headers: asToken }), NODE, ctx)).json()) as PlanPreview;
    const applied = (await (await handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body: { planId: preview.planId }, headers: asToken }), NODE, ctx)).json()) as ApplyResponse;
    return { id: applied.remediation.id, planId: preview.planId };
  }

  it('asks, runs with the plan id it was given, posts the result, and the run is finished with it', async () => {
    const { id, planId } = await apply();
    const runs: RemediateArgs[] = [];
    const run = async (args: RemediateArgs): Promise<RemediateOutput> => {
      runs.push(args);
      const at = new Date().toISOString();
      return {
        kind: 'result',
        exitCode: 0,
        doc: { version: REMEDIATION_VERSION, planId: args.planId!, node: args.node!, startedAt: at, finishedAt: at, changed: ['repaired'], repaired: [], verified: true, errors: [], notes: [], newVeth: null, summary: 'repaired 1 pod(s); verified' },
      };
    };
    const stop = new AbortController();
    const pulling = runRemediationPuller({ server: url, token: TOKEN, node: NODE, root: '/', requestTimeoutMs: 5000, log, pollMs: 50, run }, stop.signal);
    try {
      const rec = await until('the run to be finished by the agent', async () => {
        const r = await t.store.remediations.get(id);
        return r && r.status === 'succeeded' ? r : null;
      });
      expect(runs).toEqual([{ help: false, dryRun: false, planId, root: '/', node: NODE, terminationLog: null }]);
      expect(rec.evidence).toMatchObject({ exitCode: 0, result: { planId, verified: true } });
    } finally {
      stop.abort();
      await pulling;
    }
    // Nothing left for it, and it stopped asking when told to.
    expect(await claimOnce({ server: url, token: TOKEN, node: NODE, root: '/', requestTimeoutMs: 5000, log }, NODE)).toBeNull();
    expect(runs).toHaveLength(1);
  });

  it('throws on a refused claim (a wrong token), so the loop logs it and keeps asking', async () => {
    await expect(claimOnce({ server: url, token: 'wrong-token-wrong-token', node: NODE, root: '/', requestTimeoutMs: 5000, log }, NODE)).rejects.toThrow(/claim answered 401/);
  });
});

describe('the --remediate flag', () => {
  it('is for run mode only, and off unless given', () => {
    const run = (argv: string[]) => parseCommandLine(argv, {});
    const on = run(['--server', 'http://127.0.0.1:3000', '--token', 't', '--remediate']);
    expect(on.kind === 'collect' && on.config.remediate).toBe(true);
    const off = run(['--server', 'http://127.0.0.1:3000', '--token', 't']);
    expect(off.kind === 'collect' && off.config.remediate).toBeFalsy();
    expect(() => run(['--once', '--remediate'])).toThrow(UsageError);
  });
});
