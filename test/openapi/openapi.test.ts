// public/openapi.json: up to date with its builder, covering every route under app/api (walked on disk) and every lean
// path of the custom server (the *_PATH constants server/run.ts dispatches on), and describing real responses:
// each answer of a running server (API only, watching the fake Kubernetes API, with reports and remediations
// stored) validates against the documented schema, converted back with z.fromJSONSchema. The Next-only history
// routes are answered by their real handlers (lib/history/http.ts) over the server's own database.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REPORTS_PATH } from '@/lib/ingest/http';
import { VERIFICATION_PATH } from '@/lib/prevention/verification';
import { STREAM_PATH } from '@/lib/history/stream';
import { arpTimelineResponse, eventsResponse, hostDeviceHistoryResponse, hostDevicesResponse, linkFileHistoryResponse, vethHistoryResponse } from '@/lib/history/http';
import { FLEET_PATH } from '@/lib/nodes/http';
import { buildFlannelReport, flannelDevice } from '@/lib/fleet/fixtures';
import { buildReport } from '@/lib/report/fixtures';
import { AGENT_API_PREFIX, AGENT_CLAIM_PATH, AGENT_RESULT_PATH, agentResultPath } from '@/lib/report/remediation';
import { createStore, type Store } from '@/lib/store';
import { HEALTHZ_PATH, READYZ_PATH } from '@/server/health';
import { METRICS_PATH } from '@/server/metrics';
import { startPopulatedServer, type PopulatedServer } from '../monitoring/populatedServer';
import { REPO_ROOT } from '../support/serverProcess';
import { documentText, OPENAPI_FILE } from './write';

type Json = Record<string, any>;
const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Json;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** app/api/v1/nodes/[name]/route.ts -> /api/v1/nodes/{name}, with the methods the file exports. */
function appRoutes(): Array<{ path: string; methods: string[] }> {
  const out: Array<{ path: string; methods: string[] }> = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/^route\.(ts|tsx|js)$/.test(e.name)) {
        const rel = path.relative(path.join(REPO_ROOT, 'app'), dir).split(path.sep).join('/');
        const src = fs.readFileSync(full, 'utf8');
        out.push({
          path: `/${rel}`.replace(/\[([^\]]+)\]/g, '{$1}'),
          methods: METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?function\\s+${m}\\b|export\\s+const\\s+${m}\\b`).test(src)),
        });
      }
    }
  };
  walk(path.join(REPO_ROOT, 'app/api'));
  return out;
}

const LEAN: Record<string, string> = { VERIFICATION_PATH, REPORTS_PATH, STREAM_PATH, FLEET_PATH, HEALTHZ_PATH, READYZ_PATH, METRICS_PATH };

/** A documented schema as zod: every component becomes a $defs entry so references resolve. */
function schemaFor(schema: Json): z.ZodType {
  const text = JSON.stringify({ ...schema, $defs: doc.components.schemas }).replaceAll('#/components/schemas/', '#/$defs/');
  return z.fromJSONSchema(JSON.parse(text));
}

function documented(p: string, method: string, status: number, type = 'application/json'): Json {
  const op = doc.paths[p]?.[method.toLowerCase()];
  expect(op, `${method} ${p} is not documented`).toBeTruthy();
  const res = op.responses[String(status)];
  expect(res, `${method} ${p} does not document status ${status}`).toBeTruthy();
  const content = res.content?.[type];
  expect(content, `${method} ${p} ${status} does not document ${type}`).toBeTruthy();
  return content.schema;
}

/** The response's status and body must be the documented ones for this path template and method. */
async function conforms(res: Response, template: string, method = 'GET'): Promise<unknown> {
  const body = await res.json();
  const check = schemaFor(documented(template, method, res.status)).safeParse(body);
  expect(check.success, `${method} ${template} ${res.status}: ${check.success ? '' : JSON.stringify(check.error.issues.slice(0, 5))}`).toBe(true);
  return body;
}

describe('public/openapi.json', () => {
  it('is the document test/openapi/document.ts builds (regenerate: node --import tsx test/openapi/write.ts)', () => {
    expect(fs.readFileSync(OPENAPI_FILE, 'utf8')).toBe(documentText());
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every route under app/api with each method it exports', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const r of routes) {
      expect(doc.paths, `${r.path} (app/api) is not in openapi.json`).toHaveProperty([r.path]);
      for (const m of r.methods) expect(doc.paths[r.path], `${m} ${r.path}`).toHaveProperty([m.toLowerCase()]);
    }
  });

  it("documents every lean path server/run.ts dispatches on", () => {
    const run = fs.readFileSync(path.join(REPO_ROOT, 'server/run.ts'), 'utf8');
    const used = new Set([...run.matchAll(/pathname === ([A-Z_]+_PATH)\b/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThanOrEqual(6);
    for (const name of used) {
      expect(LEAN, `server/run.ts dispatches on ${name}: add it to this test and to the document`).toHaveProperty([name]);
      expect(doc.paths, `${name} = ${LEAN[name]}`).toHaveProperty([LEAN[name]]);
    }
  });

  it('documents the agent endpoints behind every path prefix server/run.ts dispatches on', () => {
    const run = fs.readFileSync(path.join(REPO_ROOT, 'server/run.ts'), 'utf8');
    const prefixes = [...run.matchAll(/pathname\.startsWith\(([A-Z_]+)\)/g)].map((m) => m[1]);
    expect(prefixes).toEqual(['AGENT_API_PREFIX']);
    // lib/remediation/agentHttp.ts answers exactly these two under the prefix.
    const claim = '/api/v1/agent/remediations/claim';
    const result = '/api/v1/agent/remediations/{remediationId}/result';
    expect(AGENT_CLAIM_PATH).toBe(claim);
    const id = '0b7c6a3e-8f1d-4c2a-9e5b-1a2b3c4d5e6f';
    expect(result.replace('{remediationId}', id)).toBe(agentResultPath(id));
    expect(AGENT_RESULT_PATH.test(agentResultPath(id))).toBe(true);
    for (const p of [claim, result]) {
      expect(p.startsWith(AGENT_API_PREFIX)).toBe(true);
      expect(doc.paths[p], p).toHaveProperty(['post']);
    }
  });

  it('documents the fleet search parameter q', () => {
    const q = doc.paths['/api/v1/nodes'].get.parameters.find((x: Json) => x.name === 'q');
    expect(q).toMatchObject({ in: 'query', required: false });
    expect(documented('/api/v1/nodes', 'GET', 200).oneOf).toEqual([{ $ref: '#/components/schemas/FleetView' }, { $ref: '#/components/schemas/FleetSearch' }]);
  });

  it('every $ref points at a component that exists', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(doc.components.schemas).toHaveProperty([r]);
  });

  it('a schema rejects what it must (the check is not vacuous)', () => {
    const fleet = schemaFor({ $ref: '#/components/schemas/FleetView' });
    expect(fleet.safeParse({ generatedAt: 'x', counts: {}, nodes: [] }).success).toBe(false);
    expect(schemaFor({ $ref: '#/components/schemas/Healthz' }).safeParse({ status: 'down' }).success).toBe(false);
  });
});

describe('real responses match the document', () => {
  let s: PopulatedServer;
  let store: Store;
  const url = (p: string) => `${s.server.url}${p}`;
  const page = () => ({ origin: s.server.url, 'sec-fetch-site': 'same-origin', 'x-vethwatch-csrf': '1' });
  const op = () => ({ authorization: `Bearer ${s.operatorToken}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    s = await startPopulatedServer();
    store = await createStore({ engine: 'sqlite', file: s.dbFile });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await s?.close();
  });

  it('agents, nodes and operations endpoints', async () => {
    const post = await fetch(url(REPORTS_PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${s.agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildReport({ node: 'edge-1', veths: 2 })), // outside the cluster: the shared token's case
    });
    expect(post.status).toBe(202);
    await conforms(post, '/api/v1/reports', 'POST');
    const bad = await fetch(url(REPORTS_PATH), { method: 'POST', headers: { authorization: `Bearer ${s.agentToken}`, 'content-type': 'application/json' }, body: '{"version":1}' });
    expect(bad.status).toBe(422);
    await conforms(bad, '/api/v1/reports', 'POST');
    const unauth = await fetch(url(REPORTS_PATH), { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{}' });
    await conforms(unauth, '/api/v1/reports', 'POST');

    await conforms(await fetch(url(FLEET_PATH)), '/api/v1/nodes');
    const search = await fetch(url(`${FLEET_PATH}?q=node-a`));
    expect(search.status).toBe(200);
    const found = (await conforms(search, '/api/v1/nodes')) as { q?: string; nodes: Array<{ name: string }> };
    expect(found.q).toBe('node-a');
    expect(found.nodes.map((n) => n.name)).toContain('node-a');
    const badTerm = await fetch(url(`${FLEET_PATH}?q=x`));
    expect(badTerm.status).toBe(422);
    await conforms(badTerm, '/api/v1/nodes');

    const agent = { authorization: `Bearer ${s.agentToken}`, 'content-type': 'application/json' };
    const claim = await fetch(url(AGENT_CLAIM_PATH), { method: 'POST', headers: agent, body: JSON.stringify({ node: 'edge-1' }) });
    expect(claim.status).toBe(204); // no local remediation is pending for it
    expect(doc.paths[AGENT_CLAIM_PATH].post.responses).toHaveProperty(['204']);
    const badClaim = await fetch(url(AGENT_CLAIM_PATH), { method: 'POST', headers: agent, body: JSON.stringify({ node: 'edge-1', extra: 1 }) });
    expect(badClaim.status).toBe(422);
    await conforms(badClaim, AGENT_CLAIM_PATH, 'POST');
    await conforms(await fetch(url(AGENT_CLAIM_PATH), { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{}' }), AGENT_CLAIM_PATH, 'POST');
    const resultPath = '/api/v1/agent/remediations/{remediationId}/result';
    const noSuch = await fetch(url(agentResultPath('0b7c6a3e-8f1d-4c2a-9e5b-1a2b3c4d5e6f')), { method: 'POST', headers: agent, body: '{"exitCode": 0}' });
    expect(noSuch.status).toBe(422);
    await conforms(noSuch, resultPath, 'POST');
    await conforms(await fetch(url('/api/v1/nodes/node-a')), '/api/v1/nodes/{name}');
    const missing = await fetch(url('/api/v1/nodes/nobody'));
    expect(missing.status).toBe(404);
    await conforms(missing, '/api/v1/nodes/{name}');
    await conforms(await fetch(url(HEALTHZ_PATH)), '/healthz');
    await conforms(await fetch(url(READYZ_PATH)), '/readyz');
    const metrics = await fetch(url(METRICS_PATH));
    expect(metrics.status).toBe(200);
    documented('/metrics', 'GET', 200, 'text/plain');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('the event stream sends documented HistoryEvents', async () => {
    const ac = new AbortController();
    const res = await fetch(url(`${STREAM_PATH}?lastEventId=0`), { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const itemSchema = doc.paths[STREAM_PATH].get.responses['200'].content['text/event-stream'].itemSchema;
    const reader = res.body!.getReader();
    let text = '';
    while (!/\ndata: .*\n/.test(`\n${text}`)) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const data = /(?:^|\n)data: (.*)\n/.exec(text)![1];
    const check = schemaFor(itemSchema).safeParse(JSON.parse(data));
    expect(check.success, JSON.stringify(check.error?.issues)).toBe(true);
  });

  it('remediation, session, audit and settings endpoints', async () => {
    await conforms(await fetch(url('/api/v1/me'), { headers: op() }), '/api/v1/me');
    const preview = await fetch(url('/api/v1/nodes/node-b/remediations'), { method: 'POST', headers: op(), body: JSON.stringify({ dryRun: true }) });
    expect(preview.status).toBe(200);
    const p = (await conforms(preview, '/api/v1/nodes/{name}/remediations', 'POST')) as { planId: string; remediationId: string };
    const viewer = await fetch(url('/api/v1/nodes/node-b/remediations'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dryRun: true }) });
    expect(viewer.status).toBeGreaterThanOrEqual(401);
    await conforms(viewer, '/api/v1/nodes/{name}/remediations', 'POST');
    await conforms(await fetch(url('/api/v1/nodes/node-a/remediations')), '/api/v1/nodes/{name}/remediations');
    await conforms(await fetch(url('/api/v1/remediations?include=planned')), '/api/v1/remediations');
    await conforms(await fetch(url(`/api/v1/remediations/${p.remediationId}`)), '/api/v1/remediations/{id}');
    await conforms(await fetch(url('/api/v1/remediations/no-such-id')), '/api/v1/remediations/{id}');
    const fleet = await fetch(url('/api/v1/remediations/fleet'), { method: 'POST', headers: op(), body: JSON.stringify({ dryRun: true }) });
    expect(fleet.status).toBe(200);
    await conforms(fleet, '/api/v1/remediations/fleet', 'POST');
    await conforms(await fetch(url('/api/v1/remediations/fleet/no-such-run')), '/api/v1/remediations/fleet/{id}');
    await conforms(await fetch(url('/api/v1/remediation-settings')), '/api/v1/remediation-settings');
    const put = await fetch(url('/api/v1/remediation-settings'), { method: 'PUT', headers: op(), body: JSON.stringify({ maxConcurrent: 3 }) });
    expect(put.status).toBe(200);
    await conforms(put, '/api/v1/remediation-settings', 'PUT');
    await conforms(await fetch(url('/api/v1/audit?limit=50')), '/api/v1/audit');
    const login = await fetch(url('/api/v1/session'), { method: 'POST', headers: { ...page(), 'content-type': 'application/json' }, body: JSON.stringify({ token: s.operatorToken }) });
    expect(login.status).toBe(200);
    await conforms(login, '/api/v1/session', 'POST');
    const wrong = await fetch(url('/api/v1/session'), { method: 'POST', headers: { ...page(), 'content-type': 'application/json' }, body: JSON.stringify({ token: 'wrong-token-xxxxxxxx' }) });
    await conforms(wrong, '/api/v1/session', 'POST');
    await conforms(await fetch(url('/api/v1/session'), { method: 'DELETE', headers: page() }), '/api/v1/session', 'DELETE');
  });

  it('the history routes (Next only) answer as documented through their handlers over the same database', async () => {
    const base = 'http://vethwatch.test';
    const ifname = (await store.getNode('node-a'))!.report.veths[0].ifname;
    await conforms(await eventsResponse(store, new URL(`${base}/api/v1/events?limit=50`)), '/api/v1/events');
    await conforms(await eventsResponse(store, new URL(`${base}/api/v1/events?limit=0`)), '/api/v1/events');
    await conforms(await vethHistoryResponse(store, 'node-a', ifname, new URL(`${base}/x`)), '/api/v1/nodes/{name}/veths/{ifname}/history');
    await conforms(await arpTimelineResponse(store, 'node-a', new URL(`${base}/x`)), '/api/v1/nodes/{name}/arp-timeline');
    await conforms(await linkFileHistoryResponse(store, 'node-a', new URL(`${base}/x`)), '/api/v1/nodes/{name}/link-files/history');
    await conforms(await arpTimelineResponse(store, 'nobody', new URL(`${base}/x`)), '/api/v1/nodes/{name}/arp-timeline');

    // A flannel node outside the cluster (the shared token) whose flannel.1 udev re-MACs between two reports.
    const agent = { authorization: `Bearer ${s.agentToken}`, 'content-type': 'application/json' };
    const first = buildFlannelReport({ node: 'edge-hd', flannelMac: 'aa:bb:cc:00:00:01', peers: [], veths: 1, collectedAt: new Date(Date.now() - 60_000) });
    const second = { ...first, reportId: crypto.randomUUID(), collectedAt: new Date().toISOString(), hostDevices: [{ ...flannelDevice('aa:bb:cc:00:00:02'), addrAssignType: 3 }] };
    for (const r of [first, second]) expect((await fetch(url(REPORTS_PATH), { method: 'POST', headers: agent, body: JSON.stringify(r) })).status).toBe(202);
    const devices = (await conforms(await hostDevicesResponse(store, 'edge-hd'), '/api/v1/nodes/{name}/host-devices')) as { devices: Array<{ lastMacChange: unknown }> };
    expect(devices.devices[0].lastMacChange).toMatchObject({ macFrom: 'aa:bb:cc:00:00:01', macTo: 'aa:bb:cc:00:00:02', setByUserspace: true });
    await conforms(await hostDevicesResponse(store, 'nobody'), '/api/v1/nodes/{name}/host-devices');
    const history = (await conforms(await hostDeviceHistoryResponse(store, 'edge-hd', 'flannel.1', new URL(`${base}/x`)), '/api/v1/nodes/{name}/host-devices/{ifname}/history')) as { items: unknown[] };
    expect(history.items).toHaveLength(2);
    await conforms(await hostDeviceHistoryResponse(store, 'edge-hd', 'flannel.1', new URL(`${base}/x?limit=0`)), '/api/v1/nodes/{name}/host-devices/{ifname}/history');
  });

  it('serves the document and robots.txt from public/ without Next', async () => {
    const res = await fetch(url('/openapi.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(doc);
    const robots = await fetch(url('/robots.txt'));
    expect(robots.status).toBe(200);
    expect(await robots.text()).toBe(fs.readFileSync(path.join(REPO_ROOT, 'public/robots.txt'), 'utf8'));
    expect((await fetch(url('/openapi.json'), { method: 'POST' })).status).toBe(405);
  });
});
