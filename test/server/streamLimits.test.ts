// The event stream's bounds over real HTTP (custom server as a child process, API only, SQLite): streams per client
// address and in all (429 / 503 with Retry-After), /healthz answering while they are held, and a resume that is
// too far behind (or predates retention, or names an id never stored) answered with a `reset` event instead of
// the whole history.
import Database from 'better-sqlite3';
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLAY, RESET_EVENT } from '@/lib/history/stream';
import { SseClient } from '@/lib/history/testing/sse';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { sqliteTempFile } from '@/lib/store/testing';
import { spawnServer, type SpawnedServer } from '../support/serverProcess';

const TOKEN = 'stream-limits-token-0123456789';
let server: SpawnedServer;
let tmp: ReturnType<typeof sqliteTempFile>;

beforeAll(async () => {
  tmp = sqliteTempFile();
  server = await spawnServer({
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      VETHWATCH_NEXT: '0',
      VETHWATCH_KUBE: '0',
      VETHWATCH_DB: tmp.file,
      VETHWATCH_AGENT_TOKEN: TOKEN,
      VETHWATCH_STREAMS_PER_CLIENT: '3',
      VETHWATCH_STREAMS_MAX: '5',
      VETHWATCH_STREAM_HEARTBEAT_MS: '300',
    },
  });
});

afterAll(async () => {
  await server?.stop();
  tmp?.remove();
});

/** A stream opened from a given loopback address (127.0.0.0/8 is all ours), its response kept open. */
function openFrom(localAddress: string, path = '/api/v1/stream'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { localAddress, headers: { accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function post(report: Report): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { events: number }).events;
}

const storedIds = (): number[] => {
  const db = new Database(tmp.file, { readonly: true });
  try {
    return (db.prepare('select id from events order by id').all() as { id: number }[]).map((r) => r.id);
  } finally {
    db.close();
  }
};

describe('stream caps', () => {
  it('429 past the per-client cap, 503 past the global cap, both with Retry-After; /healthz answers throughout', async () => {
    const held: IncomingMessage[] = [];
    for (let i = 0; i < 3; i++) held.push(await openFrom('127.0.0.1'));
    expect(held.map((r) => r.statusCode)).toEqual([200, 200, 200]);

    const fourth = await openFrom('127.0.0.1');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.headers['retry-after']).toBe('10');
    fourth.resume();

    // Another client still gets its streams, up to the global cap of 5.
    for (let i = 0; i < 2; i++) held.push(await openFrom('127.0.0.2'));
    expect(held.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await openFrom('127.0.0.3');
    expect(sixth.statusCode).toBe(503);
    expect(sixth.headers['retry-after']).toBe('10');
    sixth.resume();

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/nodes`)).status).toBe(200);

    // A closed stream gives its slot back.
    held.shift()!.destroy();
    await expect
      .poll(
        async () => {
          const r = await openFrom('127.0.0.1');
          if (r.statusCode !== 200) r.resume();
          else held.push(r);
          return r.statusCode;
        },
        { timeout: 5000 },
      )
      .toBe(200);
    for (const r of held) r.destroy();
  });
});

describe('bounded resume', () => {
  let first = buildReport({ node: 'replay-a', veths: 300, collectedAt: '2026-11-26T10:00:00.000Z' });

  it(`replays up to ${MAX_REPLAY} missed events; further behind, a reset event and then live events`, async () => {
    await post(first);
    const cursor = storedIds().at(-1)!;
    // Each flip of 300 veths' ARP state is 300+ events: two flips put the cursor more than MAX_REPLAY behind.
    let r = first;
    for (const mismatched of [300, 0]) {
      const n = nextReport(r, 60);
      r = buildReport({ ...n, veths: 300, mismatched, collectedAt: n.collectedAt });
      await post(r);
    }
    first = r;
    const ids = storedIds();
    const missed = ids.filter((id) => id > cursor);
    expect(missed.length).toBeGreaterThan(MAX_REPLAY);

    // Within the bound: exactly the missed events.
    const near = ids[ids.length - MAX_REPLAY - 1];
    const ok = await SseClient.connect(`${server.url}/api/v1/stream`, { 'last-event-id': String(near) });
    await expect.poll(() => ok.ids().length, { timeout: 5000 }).toBe(MAX_REPLAY);
    expect(ok.ids()).toEqual(ids.filter((id) => id > near));
    expect(ok.named).toEqual([]);
    await ok.close();

    // Beyond it: no replay, one reset carrying the newest id, and events from there on.
    const far = await SseClient.connect(`${server.url}/api/v1/stream`, { 'last-event-id': String(cursor) });
    await expect.poll(() => far.named.length, { timeout: 5000 }).toBe(1);
    expect(far.named[0]).toEqual({
      event: RESET_EVENT,
      id: String(ids.at(-1)),
      data: { reason: `more than ${MAX_REPLAY} events were missed`, lastEventId: ids.at(-1) },
    });
    expect(far.lastEventId).toBe(String(ids.at(-1)));
    const n = nextReport(first, 60);
    first = buildReport({ ...n, veths: 300, mismatched: 1, collectedAt: n.collectedAt });
    await post(first);
    const after = storedIds().filter((id) => id > ids.at(-1)!);
    await expect.poll(() => far.ids(), { timeout: 5000 }).toEqual(after);
    await far.close();
  });

  it('resets a cursor the store has never reached, and one whose successors retention removed', async () => {
    const newest = storedIds().at(-1)!;
    const future = await SseClient.connect(`${server.url}/api/v1/stream`, { 'last-event-id': String(newest + 1000) });
    await expect.poll(() => future.named.length, { timeout: 5000 }).toBe(1);
    expect(future.named[0].data).toEqual({ reason: 'the last event id is not one this server has stored', lastEventId: newest });
    await future.close();

    // What the retention job does: delete the oldest events (here, directly in the database).
    const ids = storedIds();
    const db = new Database(tmp.file);
    db.prepare('delete from events where id <= ?').run(ids[10]);
    db.close();
    const pruned = await SseClient.connect(`${server.url}/api/v1/stream`, { 'last-event-id': String(ids[5]) });
    await expect.poll(() => pruned.named.length, { timeout: 5000 }).toBe(1);
    expect(pruned.named[0].data).toEqual({ reason: 'events after the last event id were removed by retention', lastEventId: newest });
    expect(pruned.ids()).toEqual([]);
    await pruned.close();
    // A cursor among the kept events still resumes normally.
    const edge = await SseClient.connect(`${server.url}/api/v1/stream?node=replay-a`, { 'last-event-id': String(newest - 3) });
    await expect.poll(() => edge.ids(), { timeout: 5000 }).toEqual([newest - 2, newest - 1, newest]);
    await edge.close();
  });
});
