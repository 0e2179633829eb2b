// The stream handler in-process on a real node:http server, both engines, with the heartbeat (and its poll) out
// of the way: only the bus's doorbell can deliver here. Covers out-of-order publishes and shutdown.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { flannelDevice } from '../fleet/fixtures';
import { buildReport, nextReport } from '../report/fixtures';
import { testEngines, type TestStore } from '../store/testing';
import { endEventStreams, handleStreamRequest, openEventStreamCount } from './stream';
import { SseClient } from './testing/sse';

describe.each(testEngines)('handleStreamRequest on $name', (engine) => {
  let t: TestStore;
  let bus: EventBus;
  let server: Server;
  let base: string;
  const clients: SseClient[] = [];

  beforeEach(async () => {
    t = await engine.open();
    bus = createEventBus();
    server = createServer((req, res) => void handleStreamRequest(req, res, { store: async () => t.store, bus, heartbeatMs: 3_600_000 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/stream`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    endEventStreams();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.cleanup();
  });

  const connect = async (query = '', headers?: Record<string, string>) => {
    const c = await SseClient.connect(`${base}${query}`, headers);
    clients.push(c);
    return c;
  };
  const allIds = async () => (await t.store.listEvents({ limit: 5000 })).map((e) => e.id);

  it('delivers on the bus doorbell alone, reading the store so ids arrive once and in order', async () => {
    const c = await connect();
    await expect.poll(() => c.lastEventId, { timeout: 5000 }).toBe('0');
    const r1 = buildReport({ node: 'n1', veths: 2, collectedAt: '2026-11-26T10:00:00.000Z' });
    await ingestReport(t.store, r1, { bus });
    await expect.poll(() => c.ids(), { timeout: 3000 }).toEqual(await allIds());
    await ingestReport(t.store, buildReport({ ...nextReport(r1), veths: 3, mismatched: 1 }), { bus });
    await expect.poll(() => c.ids(), { timeout: 3000 }).toEqual(await allIds());
  });

  it("streams a host device's MAC change with its words", async () => {
    const c = await connect();
    await expect.poll(() => c.lastEventId, { timeout: 5000 }).toBe('0');
    const device = flannelDevice('aa:bb:cc:00:00:01');
    const r1 = buildReport({ node: 'n1', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z', hostDevices: [device] });
    await ingestReport(t.store, r1, { bus });
    const r2 = nextReport(r1);
    r2.hostDevices = [{ ...device, mac: 'aa:bb:cc:00:00:02' }];
    await ingestReport(t.store, r2, { bus });
    await expect.poll(() => c.events.filter((e) => e.data.type.startsWith('hostdevice.')).map((e) => [e.data.type, e.data.summary]), { timeout: 3000 }).toEqual([
      ['hostdevice.appeared', 'flannel.1 (overlay, vxlan) was present at the first report listing host devices with MAC aa:bb:cc:00:00:01'],
      ['hostdevice.mac_changed', 'flannel.1 (overlay, vxlan) MAC changed aa:bb:cc:00:00:01 -> aa:bb:cc:00:00:02 (set by userspace)'],
    ]);
  });

  it('misses nothing when the bus announces a later event before an earlier one', async () => {
    const c = await connect();
    await expect.poll(() => c.lastEventId, { timeout: 5000 }).toBe('0');
    // Two ingests whose publishes reach the bus in reverse order (as concurrent requests can).
    const quiet = createEventBus();
    const a = await ingestReport(t.store, buildReport({ node: 'a', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z' }), { bus: quiet });
    const b = await ingestReport(t.store, buildReport({ node: 'b', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z' }), { bus: quiet });
    bus.publish(b.events);
    bus.publish(a.events);
    await expect.poll(() => c.ids(), { timeout: 3000 }).toEqual(await allIds());
  });

  it('a node filter ignores other nodes; endEventStreams closes every stream', async () => {
    const c = await connect('?node=b');
    await expect.poll(() => c.lastEventId, { timeout: 5000 }).not.toBeNull();
    await ingestReport(t.store, buildReport({ node: 'a', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z' }), { bus });
    await ingestReport(t.store, buildReport({ node: 'b', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z' }), { bus });
    const bIds = (await t.store.listEvents({ node: 'b', limit: 5000 })).map((e) => e.id);
    await expect.poll(() => c.ids(), { timeout: 3000 }).toEqual(bIds);
    expect(openEventStreamCount()).toBe(1);
    expect(bus.listenerCount()).toBe(1);
    endEventStreams();
    expect(openEventStreamCount()).toBe(0);
    expect(bus.listenerCount()).toBe(0);
  });

  it('a client going away unsubscribes it from the bus', async () => {
    const c = await connect();
    await expect.poll(() => bus.listenerCount(), { timeout: 5000 }).toBe(1);
    await c.close();
    await expect.poll(() => bus.listenerCount(), { timeout: 3000 }).toBe(0);
    expect(openEventStreamCount()).toBe(0);
  });
});
