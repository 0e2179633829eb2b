// Many replicas on one PostgreSQL, end to end: two real server processes (`node --import tsx server/main.ts`, API
// only, different ports, one fresh database on VETHWATCH_TEST_PG_URL) serving the same data.
//  * an event stored through replica A reaches an SSE client of replica B within 2 s — far under the 15 s heartbeat
//    poll, so only the LISTEN/NOTIFY relay (lib/events/pgRelay.ts) can deliver it that fast;
//  * one remediation per node holds across replicas: the same plan applied at A and B at once gives one 202 and
//    one 409. The executor is Kubernetes against the fake API server with no Job controller, so nothing runs on
//    this host and the Job simply stays pending;
//  * history retention runs once: both replicas' first runs (FIRST_RUN_S after start)
//    race for the advisory lock; exactly one prunes and logs. (That the lock serialises two overlapping runners
//    is shown deterministically in test/server/retention.test.ts; this shows it between processes.)
// There is no "stale marking" job to check: staleness is computed at read time (lib/nodes/state.ts).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import { createPgDatabase } from '../../lib/store/testing';
import type { ApplyResponse, PlanPreview, RemediationErrorBody } from '../../lib/remediation/types';

/** Long enough for the old events to be written after both replicas start, short enough not to idle. */
const FIRST_RUN_S = 8;
import { FakeKube } from '../fake-kube/server';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const AGENT_TOKEN = 'replica-agent-token-0123456789';
const OPERATOR_TOKEN = 'replica-operator-token-0123456789';
const OLD_EVENTS = 40_000;
const DAY_MS = 86_400_000;

let db: Awaited<ReturnType<typeof createPgDatabase>>;
let fake: FakeKube;
let dir: string;
let a: ServerProcess;
let b: ServerProcess;
let startedAt: number;

beforeAll(async () => {
  db = await createPgDatabase();
  fake = await FakeKube.start({ runJobControllers: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-replicas-'));
  const env = {
    HOME: dir,
    DATABASE_URL: db.url,
    VETHWATCH_AGENT_TOKEN: AGENT_TOKEN,
    VETHWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
    KUBECONFIG: fake.writeKubeconfig(dir),
    VETHWATCH_EXECUTOR: 'kubernetes',
    VETHWATCH_AGENT_IMAGE: 'ghcr.io/vethwatch/agent:test',
    VETHWATCH_NAMESPACE: 'vethwatch',
    VETHWATCH_RETENTION_FIRST_RUN_SECONDS: String(FIRST_RUN_S),
  };
  // One first, so the migrations run once; then the second against the migrated database.
  a = await startServerProcess(env);
  b = await startServerProcess(env);
  startedAt = Date.now();
  // History older than the 30-day retention, written straight into the shared database.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const old = new Date(Date.now() - 40 * DAY_MS).toISOString();
    await c.query(
      `insert into events (node, type, at, received_at, report_id, subject, data, dedup_key)
       select 'old-node', 'veth.appeared', $1, $1, '00000000-0000-4000-8000-000000000001', 'eni' || g, '{}', null
       from generate_series(1, $2::int) g`,
      [old, OLD_EVENTS],
    );
  } finally {
    await c.end();
  }
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await fake?.close();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function postReport(server: ServerProcess, report: object): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
  await res.arrayBuffer();
  return res.status;
}

/** An SSE client: resolves each `data:` line's JSON as it arrives. */
function openStream(server: ServerProcess): Promise<{ next(pred: (e: { node: string; type: string }) => boolean, ms: number): Promise<{ node: string; type: string }>; close(): void }> {
  return new Promise((resolve, reject) => {
    const got: Array<{ node: string; type: string }> = [];
    const waiters = new Set<() => void>();
    const req = http.get(`${server.url}/api/v1/stream`, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of frame.split('\n')) if (line.startsWith('data: ')) got.push(JSON.parse(line.slice(6)));
        }
        for (const w of [...waiters]) w();
      });
      // The first chunk is the "connected" comment: the stream has its cursor and is subscribed.
      res.once('data', () =>
        resolve({
          next: (pred, ms) =>
            new Promise((res2, rej2) => {
              const check = () => {
                const hit = got.find(pred);
                if (!hit) return;
                waiters.delete(check);
                clearTimeout(timer);
                res2(hit);
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                rej2(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(got)}`));
              }, ms);
              waiters.add(check);
              check();
            }),
          close: () => req.destroy(),
        }),
      );
    });
    req.on('error', reject);
  });
}

describe('two server replicas on one PostgreSQL', () => {
  it('both replicas relay events over LISTEN/NOTIFY', () => {
    for (const s of [a, b]) expect(s.output()).not.toMatch(/event relay: .*(failed|lost)/);
  });

  it('an event stored through replica A reaches an SSE client of replica B in under 2 s', async () => {
    const stream = await openStream(b);
    try {
      for (const [i, node] of ['sse-node-1', 'sse-node-2'].entries()) {
        const sent = Date.now();
        expect(await postReport(a, buildReport({ node, veths: 2, mismatched: i }))).toBe(202);
        const e = await stream.next((x) => x.node === node && x.type === 'node.first_report', 2000);
        expect(e.node).toBe(node);
        expect(Date.now() - sent).toBeLessThan(2000);
      }
    } finally {
      stream.close();
    }
  });

  it('one remediation per node holds across replicas: concurrent applies at A and B give one 202 and one 409', async () => {
    const node = 'ip-10-0-9-9.ec2.internal';
    expect(await postReport(b, buildReport({ node, veths: 3, mismatched: 1 }))).toBe(202);
    const call = (s: ServerProcess, body: object) =>
      fetch(`${s.url}/api/v1/nodes/${node}/remediations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const previewRes = await call(a, { dryRun: true });
    expect(previewRes.status).toBe(200);
    const preview = (await previewRes.json()) as PlanPreview;
    const [ra, rb] = await Promise.all([call(a, { planId: preview.planId }), call(b, { planId: preview.planId })]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses).toEqual([202, 409]);
    const [won, lost] = ra.status === 202 ? [ra, rb] : [rb, ra];
    const applied = (await won.json()) as ApplyResponse;
    expect(applied.remediation.node).toBe(node);
    const refusal = (await lost.json()) as RemediationErrorBody;
    expect(['active', 'already-applied']).toContain(refusal.code);
    // Exactly one Job was created in the cluster (dry runs aside).
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/apis/batch/v1/namespaces/vethwatch/jobs' && !r.query?.dryRun && r.status === 201);
    expect(creates).toHaveLength(1);
  });

  it(
    'history retention runs once across both replicas (advisory lock)',
    async () => {
      // Both first runs are due FIRST_RUN_S after their start; give them time to run and finish.
      const pruned = () => [a, b].map((s) => [...s.output().matchAll(/retention pruned (\d+) events/g)].map((m) => Number(m[1])));
      const deadline = startedAt + FIRST_RUN_S * 1000 + 30_000;
      while (Date.now() < deadline && pruned().flat().length === 0) await new Promise((r) => setTimeout(r, 500));
      // And a little longer, so a second (wrong) prune would have shown up too.
      await new Promise((r) => setTimeout(r, Math.max(3000, startedAt + FIRST_RUN_S * 1000 + 6_000 - Date.now())));
      const [byA, byB] = pruned();
      expect(byA.length + byB.length).toBe(1);
      expect([...byA, ...byB][0]).toBe(OLD_EVENTS);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ n: string }>(`select count(*) as n from events where node = 'old-node'`);
        expect(Number(rows[0].n)).toBe(0);
      } finally {
        await c.end();
      }
    },
    120_000,
  );
});
