// GET /api/v1/nodes?q= through the real custom server (child process, API only, PostgreSQL): reports posted by an
// agent are found by pod, pod IP, veth name and MAC; a bad term is a 422 and the plain list is unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSearch } from '@/lib/nodes/searchTypes';
import type { FleetView } from '@/lib/nodes/types';
import { buildReport, buildVeth } from '@/lib/report/fixtures';
import { createPgDatabase } from '@/lib/store/testing';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const TOKEN = 'search-agent-token-0123456789';

describe('fleet search on the real server', () => {
  let server: ServerProcess;
  let db: { url: string; drop(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    db = await createPgDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-search-'));
    server = await startServerProcess({ HOME: dir, DATABASE_URL: db.url, VETHWATCH_AGENT_TOKEN: TOKEN, VETHWATCH_KUBE: '0' });
    const checkout = { ...buildVeth({ node: 'node-a', index: 0, mismatch: true }), pod: { namespace: 'payments', name: 'checkout-5c8' }, podIP: '10.1.2.3' };
    for (const report of [
      buildReport({ node: 'node-a', veths: [checkout, buildVeth({ node: 'node-a', index: 1 })] }),
      buildReport({ node: 'node-b', veths: 2 }),
    ]) {
      const res = await fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(report),
      });
      expect(res.status).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const search = async (q: string) => {
    const res = await fetch(`${server.url}/api/v1/nodes?q=${encodeURIComponent(q)}`);
    return { status: res.status, body: (await res.json()) as FleetSearch & { error?: string } };
  };

  it('finds the pod, its IP, its veth and its MAC, naming the node and the veth', async () => {
    const node = (await (await fetch(`${server.url}/api/v1/nodes/node-a`)).json()) as { veths: Array<{ ifname: string; mac: string }> };
    const veth = node.veths[0];
    for (const q of ['checkout-5c8', 'payments/checkout', '10.1.2.3', veth.ifname, veth.mac.toUpperCase()]) {
      const { status, body } = await search(q);
      expect(status, q).toBe(200);
      expect(body.hits.map((h) => [h.node, h.ifname, h.pod?.name]), q).toEqual([['node-a', veth.ifname, 'checkout-5c8']]);
      expect(body.nodes.map((n) => [n.name, n.state]), q).toEqual([['node-a', 'broken']]);
    }
    expect((await search('node-b')).body.nodes.map((n) => n.name)).toEqual(['node-b']);
  });

  it('answers a bad term with 422 and leaves the plain fleet list as it was', async () => {
    const bad = await search('a');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('query parameters failed validation');
    expect((await search("x' or 1=1 --")).status).toBe(422);
    const fleet = (await (await fetch(`${server.url}/api/v1/nodes`)).json()) as FleetView;
    expect(fleet.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b']);
  });
});
