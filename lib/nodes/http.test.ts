// GET /api/v1/nodes on the lean path: the fleet read model, compressed as the client accepts, one build shared by
// requests that arrive together.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import { createStore, type Store } from '@/lib/store';
import { sqliteTempFile } from '@/lib/store/testing';
import { handleFleetRequest } from './http';
import type { FleetSearch } from './searchTypes';
import type { FleetView } from './types';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function storeWithNodes(): Promise<Store> {
  const tmp = sqliteTempFile();
  const store = await createStore({ engine: 'sqlite', file: tmp.file });
  cleanups.push(tmp.remove, () => store.close());
  const bus = createEventBus();
  await ingestReport(store, buildReport({ node: 'n-ok', veths: 4, policy: 'none' }), { bus });
  await ingestReport(store, buildReport({ node: 'n-broken', veths: 4, mismatched: 1 }), { bus });
  return store;
}

async function serve(store: () => Promise<Store>): Promise<{ url: string; server: Server }> {
  const deps = { store };
  const server = createServer((req, res) => void handleFleetRequest(req, res, deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/nodes`, server };
}

function call(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/v1/nodes (lean path)', () => {
  it('answers the fleet view in the coding the client accepts', async () => {
    const store = await storeWithNodes();
    const { url } = await serve(async () => store);
    const plain = await call(url, 'GET');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('no-store');
    expect(plain.headers.vary).toBe('accept-encoding');
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    const view = JSON.parse(plain.body.toString('utf8')) as FleetView;
    expect(view.nodes.map((n) => [n.name, n.state])).toEqual([
      ['n-broken', 'broken'],
      ['n-ok', 'healthy'],
    ]);

    const gz = await call(url, 'GET', { 'accept-encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const br = await call(url, 'GET', { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    for (const decoded of [gunzipSync(gz.body), brotliDecompressSync(br.body)]) {
      const other = JSON.parse(decoded.toString('utf8')) as FleetView;
      expect(other.nodes.map((n) => n.name)).toEqual(['n-broken', 'n-ok']);
      expect(other.counts).toEqual(view.counts);
    }
  });

  it('answers HEAD with the headers only, and refuses other methods with 405 and Allow', async () => {
    const store = await storeWithNodes();
    const { url } = await serve(async () => store);
    const head = await call(url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    const post = await call(url, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body.toString('utf8'))).toEqual({ error: 'method not allowed; use GET, HEAD' });
  });

  it('searches with ?q= (pods, IPs, veths, MACs and node names) and refuses a bad term with 422 before reading', async () => {
    const store = await storeWithNodes();
    const { url } = await serve(async () => store);
    const veth = (await store.getNode('n-broken'))!.report.veths[1];
    const byPod = await call(`${url}?q=${encodeURIComponent(`default/${veth.pod!.name}`)}`, 'GET', { 'accept-encoding': 'gzip' });
    expect(byPod.status).toBe(200);
    const found = JSON.parse(gunzipSync(byPod.body).toString('utf8')) as FleetSearch;
    expect(found.q).toBe(`default/${veth.pod!.name}`);
    expect(found.hits.map((h) => [h.node, h.ifname, h.podIP])).toEqual([['n-broken', veth.ifname, veth.podIP]]);
    expect(found.nodes.map((n) => [n.name, n.state])).toEqual([['n-broken', 'broken']]);
    const byMac = JSON.parse((await call(`${url}?q=${veth.mac}`, 'GET')).body.toString('utf8')) as FleetSearch;
    expect(byMac.hits.map((h) => h.ifname)).toEqual([veth.ifname]);
    const byNode = JSON.parse((await call(`${url}?q=n-ok`, 'GET')).body.toString('utf8')) as FleetSearch;
    expect(byNode.nodes.map((n) => n.name)).toEqual(['n-ok']);

    let reads = 0;
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'searchReports' || prop === 'listNodeSummaries') reads++;
        return Reflect.get(target, prop, receiver);
      },
    });
    const guarded = await serve(async () => counting);
    for (const bad of ['', 'a', 'x'.repeat(254), 'a%25b', 'a%20b', '%3Cscript%3E']) {
      const res = await call(`${guarded.url}?q=${bad}`, 'GET');
      expect(res.status, bad).toBe(422);
      expect(JSON.parse(res.body.toString('utf8')).error).toBe('query parameters failed validation');
    }
    expect(reads).toBe(0);
  });

  it('shares one build among requests that arrive while it runs, and builds anew afterwards', async () => {
    const store = await storeWithNodes();
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'listNodeSummaries') {
          return async () => {
            reads++;
            await gate;
            return target.listNodeSummaries();
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const { url, server } = await serve(async () => counting);
    let arrived = 0;
    const allArrived = new Promise<void>((resolve) => server.on('request', () => ++arrived === 5 && resolve()));
    const answers = Promise.all(Array.from({ length: 5 }, () => call(url, 'GET')));
    await allArrived;
    release();
    const views = (await answers).map((a) => JSON.parse(a.body.toString('utf8')) as FleetView);
    expect(reads).toBe(1);
    expect(new Set(views.map((v) => v.generatedAt)).size).toBe(1);

    await call(url, 'GET');
    expect(reads).toBe(2);
  });
});
