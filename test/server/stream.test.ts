// GET /api/v1/stream over real HTTP: the custom server as a child process (API only, VETHWATCH_NEXT=0) on each
// engine, agents posting real reports, and an SSE client that disconnects and resumes with Last-Event-ID. The
// truth is what the server stored, read straight from its database.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseClient } from '@/lib/history/testing/sse';
import { buildReport, buildVeth, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { createPgDatabase, sqliteTempFile } from '@/lib/store/testing';
import { spawnServer, type SpawnedServer } from '../support/serverProcess';

const TOKEN = 'stream-test-token-0123456789';

function startServer(env: Record<string, string>): Promise<SpawnedServer> {
  return spawnServer({
    env: {
      NODE_ENV: 'production',
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      HOST: '127.0.0.1',
      PORT: '0',
      VETHWATCH_NEXT: '0',
      VETHWATCH_KUBE: '0',
      VETHWATCH_AGENT_TOKEN: TOKEN,
      VETHWATCH_STREAM_HEARTBEAT_MS: '300',
      ...env,
    },
  });
}

async function post(url: string, report: Report): Promise<number> {
  const res = await fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { events: number }).events;
}

const engines = [
  {
    name: 'sqlite',
    async setup() {
      const tmp = sqliteTempFile();
      return {
        env: { VETHWATCH_DB: tmp.file, DATABASE_URL: '' },
        async storedIds(node?: string): Promise<number[]> {
          const db = new Database(tmp.file, { readonly: true });
          try {
            const rows = (node ? db.prepare('select id from events where node = ? order by id').all(node) : db.prepare('select id from events order by id').all()) as { id: number }[];
            return rows.map((r) => r.id);
          } finally {
            db.close();
          }
        },
        cleanup: async () => tmp.remove(),
      };
    },
  },
  {
    name: 'postgres',
    async setup() {
      const database = await createPgDatabase();
      return {
        env: { DATABASE_URL: database.url },
        async storedIds(node?: string): Promise<number[]> {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            const { rows } = node
              ? await client.query('select id from events where node = $1 order by id', [node])
              : await client.query('select id from events order by id');
            return rows.map((r: { id: string }) => Number(r.id));
          } finally {
            await client.end();
          }
        },
        cleanup: () => database.drop(),
      };
    },
  },
];

describe.each(engines)('event stream over HTTP on $name', (engine) => {
  let server: SpawnedServer;
  let db: Awaited<ReturnType<(typeof engines)[number]['setup']>>;
  const clients: SseClient[] = [];
  const connect = async (path: string, headers?: Record<string, string>) => {
    const c = await SseClient.connect(`${server.url}${path}`, headers);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await engine.setup();
    server = await startServer(db.env);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
    await db?.cleanup();
  });

  let a: Report = buildReport({ node: 'node-a', veths: 3, collectedAt: '2026-11-26T10:00:00.000Z' });
  const step = (r: Report, mismatched: number, veths = 3) => {
    const n = nextReport(r, 60);
    return buildReport({ ...n, veths, mismatched, collectedAt: n.collectedAt });
  };

  it('streams each stored event with its id; resuming with Last-Event-ID delivers exactly the missed ones', async () => {
    const first = await connect('/api/v1/stream');
    expect(first.status).toBe(200);
    await expect.poll(() => first.lastEventId, { timeout: 5000 }).toBe('0'); // an empty store: the cursor starts at 0
    expect(first.retry).toBe(3000);

    expect(await post(server.url, a)).toBeGreaterThan(0);
    a = step(a, 1);
    await post(server.url, a);
    const stored1 = await db.storedIds();
    await expect.poll(() => first.ids(), { timeout: 5000 }).toEqual(stored1);
    expect(first.events[0].data).toMatchObject({ id: stored1[0], node: 'node-a', type: 'node.first_report', summary: expect.any(String) });
    expect(first.events.find((e) => e.data.type === 'arp.changed')?.data).toMatchObject({ subject: buildVeth({ node: 'node-a', index: 0 }).ifname });
    await first.close();
    const seen = Number(first.lastEventId);
    expect(seen).toBe(stored1.at(-1));

    // Missed while disconnected.
    a = step(a, 0, 2);
    await post(server.url, a);
    a = step(a, 2, 3);
    await post(server.url, a);
    const stored2 = await db.storedIds();
    const missed = stored2.filter((id) => id > seen);
    expect(missed.length).toBeGreaterThan(3);

    const resumed = await connect('/api/v1/stream', { 'last-event-id': String(seen) });
    await expect.poll(() => resumed.ids(), { timeout: 5000 }).toEqual(missed);
    // Then live, with nothing repeated.
    a = step(a, 0, 3);
    await post(server.url, a);
    const stored3 = await db.storedIds();
    await expect.poll(() => resumed.ids(), { timeout: 5000 }).toEqual(stored3.filter((id) => id > seen));
    expect(new Set(resumed.ids()).size).toBe(resumed.ids().length);
    await resumed.close();
  });

  it('a client that reconnects before its first event still misses nothing (the cursor comes first)', async () => {
    const c = await connect('/api/v1/stream');
    await expect.poll(() => c.lastEventId, { timeout: 5000 }).not.toBeNull();
    const cursor = c.lastEventId!;
    await c.close();
    a = step(a, 1, 3);
    await post(server.url, a);
    const again = await connect('/api/v1/stream', { 'last-event-id': cursor });
    const expected = (await db.storedIds()).filter((id) => id > Number(cursor));
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => again.ids(), { timeout: 5000 }).toEqual(expected);
    await again.close();
  });

  it('no gap and no duplicate when resuming in the middle of a burst of concurrent reports', async () => {
    const from = (await db.storedIds()).at(-1)!;
    const nodes = Array.from({ length: 8 }, (_, i) => buildReport({ node: `burst-${i}`, veths: 4, mismatched: i % 3, collectedAt: '2026-11-26T11:00:00.000Z' }));
    const live = await connect('/api/v1/stream');
    await expect.poll(() => live.lastEventId, { timeout: 5000 }).toBe(String(from));
    const burst = Promise.all(nodes.map((r) => post(server.url, r)));
    // Resume from `from` while the burst is being stored.
    const resumed = await connect(`/api/v1/stream?lastEventId=${from}`);
    await burst;
    const follow = Promise.all(nodes.map((r) => post(server.url, buildReport({ ...nextReport(r, 60), veths: 3, mismatched: 1 }))));
    await follow;
    const expected = (await db.storedIds()).filter((id) => id > from);
    await expect.poll(() => resumed.ids(), { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => live.ids(), { timeout: 10_000 }).toEqual(expected);
    await resumed.close();
    await live.close();
  });

  it('filters by node, sends heartbeats, and the Last-Event-ID header wins over the query fallback', async () => {
    const c = await connect('/api/v1/stream?node=node-a&lastEventId=0', { 'last-event-id': '1' });
    const expected = (await db.storedIds('node-a')).filter((id) => id > 1);
    await expect.poll(() => c.ids(), { timeout: 5000 }).toEqual(expected);
    expect(c.events.every((e) => e.data.node === 'node-a')).toBe(true);
    await expect.poll(() => c.comments.filter((x) => x === 'heartbeat').length, { timeout: 5000 }).toBeGreaterThan(1);
    await c.close();
  });

  it('refuses a bad Last-Event-ID or node with 422 and a bad method with 405', async () => {
    for (const [path, headers] of [
      ['/api/v1/stream', { 'last-event-id': 'abc' }],
      ['/api/v1/stream?lastEventId=-3', {}],
      [`/api/v1/stream?node=${'x'.repeat(300)}`, {}],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error).toBe('stream parameters failed validation');
    }
    const res = await fetch(`${server.url}/api/v1/stream`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
