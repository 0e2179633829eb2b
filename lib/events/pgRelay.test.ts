// The LISTEN/NOTIFY relay on a real PostgreSQL (VETHWATCH_TEST_PG_URL): two "replicas" (two buses, two relays, two
// stores on one database) — what one stores reaches the other's subscribers, its own announcements are not
// delivered back, and a dropped LISTEN connection comes back and catches up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { createStore, type Store } from '../store';
import { createPgDatabase } from '../store/testing';
import { createEventBus, type EventBus } from './bus';
import { EVENTS_CHANNEL, formatRelayPayload, parseRelayPayload, startPgRelay, type PgRelay } from './pgRelay';
import type { NodeEvent } from './types';

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('payload', () => {
  it('carries the origin and the id range only, and rejects anything else', () => {
    const ev = (id: number) => ({ id }) as NodeEvent;
    expect(formatRelayPayload('ab12', [ev(7), ev(5), ev(9)])).toBe('ab12:5:9');
    expect(formatRelayPayload('ab12', [])).toBeNull();
    expect(parseRelayPayload('ab12:5:9')).toEqual({ origin: 'ab12', first: 5, last: 9 });
    for (const bad of [undefined, '', '5:9', 'ab12:9:5', 'xyz:1:2', 'ab12:1:2:3', 'ab12:-1:2']) expect(parseRelayPayload(bad)).toBeNull();
  });
});

describe('PostgreSQL event relay between two replicas', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  const stores: Store[] = [];
  const relays: PgRelay[] = [];
  let a: { bus: EventBus; store: Store; relay: PgRelay; heard: NodeEvent[] };
  let b: typeof a;

  const replica = async () => {
    const store = await createStore({ engine: 'postgres', url: db.url });
    stores.push(store);
    const bus = createEventBus();
    const relay = await startPgRelay({ url: db.url, bus, store: async () => store, reconnectMs: 50, log: { info() {}, warn() {}, error() {} } });
    relays.push(relay);
    bus.setRelay(relay);
    const heard: NodeEvent[] = [];
    bus.subscribe((events) => heard.push(...events));
    return { bus, store, relay, heard };
  };

  beforeEach(async () => {
    db = await createPgDatabase();
    a = await replica();
    b = await replica();
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
    for (const s of stores.splice(0)) await s.close();
    await db.drop();
  });

  it("delivers what one replica stored to the other's subscribers, once, and not back to the sender", async () => {
    const result = await ingestReport(a.store, buildReport({ node: 'node-1', veths: 3 }), { bus: a.bus });
    expect(result.events.length).toBeGreaterThan(0);
    const ids = result.events.map((e) => e.id);
    await until('replica B hears the events', () => b.heard.length >= ids.length);
    expect(b.heard.map((e) => e.id)).toEqual(ids);
    expect(b.heard.every((e) => e.node === 'node-1')).toBe(true);
    expect(b.relay.received).toBe(1);
    // A heard its own events once (published locally), and nothing more from its own NOTIFY.
    await new Promise((r) => setTimeout(r, 300));
    expect(a.heard.map((e) => e.id)).toEqual(ids);
    expect(a.relay.received).toBe(0);
  });

  it('ignores foreign payloads on the channel', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, 'not a range']);
      await c.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, 'ff:1:999999']);
    } finally {
      await c.end();
    }
    await until('the well-formed notification is handled', () => a.relay.received === 1 && b.relay.received === 1);
    // The range was read from the store, which holds nothing: no events invented.
    expect(a.heard).toEqual([]);
    expect(b.heard).toEqual([]);
  });

  it('reconnects after the LISTEN connection drops and delivers what was announced meanwhile', async () => {
    b.relay.dropConnection();
    await until('B notices the drop', () => !b.relay.listening);
    const result = await ingestReport(a.store, buildReport({ node: 'node-2', veths: 2 }), { bus: a.bus });
    await until('B listens again and catches up', () => b.relay.listening && b.heard.length >= result.events.length);
    expect(b.heard.map((e) => e.id)).toEqual(result.events.map((e) => e.id));
    // And it keeps hearing new announcements on the new connection.
    const next = await ingestReport(a.store, buildReport({ node: 'node-3', veths: 1 }), { bus: a.bus });
    await until('B hears the next report', () => b.heard.length >= result.events.length + next.events.length);
    expect(b.heard.slice(result.events.length).map((e) => e.id)).toEqual(next.events.map((e) => e.id));
  });

  it('refuses to start when PostgreSQL is unreachable', async () => {
    const store = a.store;
    await expect(
      startPgRelay({ url: 'postgres://nobody@127.0.0.1:1/none', bus: createEventBus(), store: async () => store, log: { info() {}, warn() {}, error() {} } }),
    ).rejects.toThrow(/could not LISTEN/);
  });
});
