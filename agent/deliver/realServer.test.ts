// Delivery against the real server (server/main.ts, API only, SQLite): accepted reports show up in its API and
// database, a server that is down or restarting loses nothing, and spooled reports arrive in order. The scan is
// injected so every report is known in advance; each report adds one veth, so the server's history events say
// in which order the reports arrived.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FleetView } from '../../lib/nodes/types';
import { buildReport } from '../../lib/report/fixtures';
import type { Report } from '../../lib/report/schema';
import { main } from '../cli';
import { createMemoryLogger } from '../log';
import { runAgent, type RunConfig, type RunDeps, type ScanFn } from '../watch/run';
import { freePort, readStoredNode, startRealServer, type RealServer } from './testing/realServer';

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
const fastBackoff = { baseMs: 100, maxMs: 400 };

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'vw-delivery-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
/** Agents still running when a test failed half-way: stopped so they do not outlive it. */
const running = new Set<() => Promise<void>>();
afterEach(async () => {
  for (const stop of running) await stop();
  running.clear();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const nodeName = (what: string) => `vwt-${what}-${randomBytes(3).toString('hex')}`;

/** Reports for one node, each one veth more than the last and one second later. */
function scanner(node: string) {
  const produced: Report[] = [];
  const base = Date.now();
  const scan: ScanFn = async (opts) => {
    const k = produced.length + 1;
    const report = buildReport({ node, veths: k, collectedAt: new Date(base + k * 1000), intervalSeconds: opts.intervalSeconds });
    produced.push(report);
    return report;
  };
  return { scan, produced };
}

type Handles = Parameters<NonNullable<RunDeps['onReady']>>[0];

async function startAgent(server: URL, spoolDir: string, scan: ScanFn, over: Partial<RunConfig> = {}) {
  const controller = new AbortController();
  const log = createMemoryLogger();
  const cfg: RunConfig = {
    server,
    token: TOKEN,
    intervalSeconds: 3600,
    root: '/',
    node: 'unused-by-the-fake-scan',
    spoolDir,
    spoolMaxReports: 500,
    spoolMaxBytes: 50 * 1024 * 1024,
    watch: false,
    requestTimeoutMs: 5000,
    ...over,
  };
  let handles!: Handles;
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const agentDone = runAgent(cfg, { scan, log, backoff: fastBackoff, onReady: (h) => ((handles = h), onReady()) }, controller.signal);
  const stopAgent = async () => {
    running.delete(stopAgent);
    controller.abort();
    await agentDone;
  };
  running.add(stopAgent);
  await ready;
  await waitFor('the first scan', () => handles.scheduler.runs >= 1);
  return {
    handles,
    log,
    /** Scan n more times, one after the other. */
    async produce(n: number) {
      for (let i = 0; i < n; i++) {
        const before = handles.scheduler.runs;
        handles.scheduler.request(`test-${i}`);
        await waitFor('a scan', () => handles.scheduler.runs > before);
      }
    },
    stop: stopAgent,
  };
}

/** The order in which the server saw each report: the report id behind each veth.appeared event. */
function arrivalOrder(dbPath: string, node: string): string[] {
  return readStoredNode(dbPath, node)
    .events.filter((e) => e.type === 'veth.appeared')
    .map((e) => e.report_id);
}

describe('agent delivery against the real server', () => {
  let server: RealServer;
  let dbPath: string;

  beforeAll(async () => {
    dbPath = path.join(work, 'shared.db');
    server = await startRealServer({ dbPath, token: TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('--once --server --token exits 0 and the node appears in GET /api/v1/nodes; a wrong token exits 1', async () => {
    const node = nodeName('once');
    const { scan, produced } = scanner(node);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {} };

    const code = await main(['--once', '--server', server.url.href, '--token', TOKEN], { scan, ...io });
    expect(code).toBe(0);
    expect(out).toEqual([]); // sending, not printing
    const fleet = (await (await fetch(new URL('/api/v1/nodes', server.url))).json()) as FleetView;
    expect(fleet.nodes.map((n) => n.name)).toContain(node);
    expect(readStoredNode(dbPath, node).node?.last_report_id).toBe(produced[0].reportId);

    const other = nodeName('once-bad');
    const bad = scanner(other);
    const refused = await main(['--once', '--server', server.url.href, '--token', 'wrong-token'], { scan: bad.scan, ...io });
    expect(refused).toBe(1);
    expect(readStoredNode(dbPath, other).node).toBeUndefined();
    const lines = err.join('').trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; status?: number });
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ status: 401 });
  });

  it('--once against a server that is not there exits 1 after a few tries', async () => {
    const port = await freePort();
    const { scan } = scanner(nodeName('nowhere'));
    const err: string[] = [];
    const code = await main(['--once', '--server', `http://127.0.0.1:${port}`, '--token', TOKEN], {
      scan,
      out: () => undefined,
      err: (t) => err.push(t),
      env: {},
    });
    expect(code).toBe(1);
    expect(err.join('').match(/server unreachable/g)).toHaveLength(3);
  });

  it('a server restart mid-run loses nothing: every report arrives once, in order', async () => {
    const node = nodeName('restart');
    const { scan, produced } = scanner(node);
    const spoolDir = path.join(work, 'spool-restart');
    const agent = await startAgent(server.url, spoolDir, scan);
    await agent.produce(3);
    await agent.handles.deliverer.whenIdle();

    await server.stop();
    await agent.produce(4); // server gone: these wait in the spool
    await waitFor('four spooled reports', () => agent.handles.spool.size.reports === 4);
    server = await startRealServer({ dbPath, token: TOKEN, port: server.port });
    await agent.produce(2);
    await agent.handles.deliverer.whenIdle();
    await agent.stop();

    expect(produced).toHaveLength(1 + 3 + 4 + 2);
    const stored = readStoredNode(dbPath, node);
    expect(stored.node).toMatchObject({ reports_total: produced.length, last_report_id: produced.at(-1)!.reportId });
    expect(arrivalOrder(dbPath, node)).toEqual(produced.map((r) => r.reportId));
    expect(await readdir(path.join(spoolDir, 'reports'))).toEqual([]);
    expect(agent.log.records.some((r) => r.msg === 'server unreachable; reports stay spooled')).toBe(true);
  });
});

describe('agent delivery while the server is down', () => {
  it('spools while the server is down, across an agent restart, and sends everything in order when it comes up', async () => {
    const port = await freePort();
    const url = new URL(`http://127.0.0.1:${port}`);
    const node = nodeName('down');
    const { scan, produced } = scanner(node);
    const spoolDir = path.join(work, 'spool-down');

    const first = await spoolWhileDown(url, spoolDir, scan, 2); // 1 + 2 reports, then the agent stops
    expect(first).toBe(3);
    const agent = await startAgent(url, spoolDir, scan);
    await agent.produce(2);
    await waitFor('six spooled reports', () => agent.handles.spool.size.reports === 6);
    expect(agent.handles.deliverer.stats.accepted).toBe(0);

    const dbPath = path.join(work, 'down.db');
    const server = await startRealServer({ dbPath, token: TOKEN, port });
    try {
      await agent.handles.deliverer.whenIdle();
      await agent.stop();
      expect(produced).toHaveLength(6);
      expect(arrivalOrder(dbPath, node)).toEqual(produced.map((r) => r.reportId));
      const stored = readStoredNode(dbPath, node);
      expect(stored.node).toMatchObject({ reports_total: 6, dropped_reports_total: 0 });
      expect(await readdir(path.join(spoolDir, 'reports'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('drops the oldest reports when the spool is full and tells the server how many', async () => {
    const port = await freePort();
    const url = new URL(`http://127.0.0.1:${port}`);
    const node = nodeName('full');
    const { scan, produced } = scanner(node);
    const spoolDir = path.join(work, 'spool-full');
    const agent = await startAgent(url, spoolDir, scan, { spoolMaxReports: 3 });
    await agent.produce(5); // 6 reports, 3 places
    await waitFor('a full spool', () => agent.handles.spool.droppedReports === 3);

    const dbPath = path.join(work, 'full.db');
    const server = await startRealServer({ dbPath, token: TOKEN, port });
    try {
      await agent.handles.deliverer.whenIdle();
      await agent.stop();
      const kept = produced.slice(3).map((r) => r.reportId);
      expect(arrivalOrder(dbPath, node).slice(-3)).toEqual(kept);
      const stored = readStoredNode(dbPath, node);
      expect(stored.node).toMatchObject({ reports_total: 3, dropped_reports_total: 3, last_report_id: kept.at(-1) });
      expect(agent.handles.spool.droppedReports).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

/** Run the agent against an unreachable server for `extra` scans beyond the first, then stop it; returns spooled count. */
async function spoolWhileDown(url: URL, spoolDir: string, scan: ScanFn, extra: number): Promise<number> {
  const agent = await startAgent(url, spoolDir, scan);
  await agent.produce(extra);
  await waitFor('spooled reports', () => agent.handles.spool.size.reports === extra + 1);
  await agent.stop();
  return (await readdir(path.join(spoolDir, 'reports'))).length;
}
