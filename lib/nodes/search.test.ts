// Fleet search over a real store, on both engines: pods by name and namespace, pod IPs, veth names and MACs lead to
// their node and veth; node names match; LIKE wildcards are literal; terms are validated before any read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ValidationError } from '@/lib/http/errors';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport, buildVeth } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { parseSearchTerm, searchFleetFrom } from './search';
import { isSearchTerm, SEARCH_MAX_HITS } from './searchTypes';

const NOW = new Date('2026-01-01T00:00:30.000Z');

describe.each(testEngines)('fleet search on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
    const payments = { ...buildVeth({ node: 'ip-10-0-1-5', index: 0 }), pod: { namespace: 'payments', name: 'checkout-7d9f' }, podIP: '10.0.1.77' };
    await ingestReport(t.store, buildReport({ node: 'ip-10-0-1-5', veths: [payments, buildVeth({ node: 'ip-10-0-1-5', index: 1 })] }), {
      bus,
      receivedAt: new Date('2026-01-01T00:00:20.000Z'), maxClockSkewSeconds: Infinity,
    });
    // Pods whose names do not contain the node's name, so a node-name search finds the node alone.
    const web = [0, 1, 2].map((index) => ({ ...buildVeth({ node: 'ip-10-0-2-9', index, mismatch: index === 0 }), pod: { namespace: 'web', name: `frontend-${index}` } }));
    await ingestReport(t.store, buildReport({ node: 'ip-10-0-2-9', veths: web }), { bus, receivedAt: new Date('2026-01-01T00:00:20.000Z'), maxClockSkewSeconds: Infinity });
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const search = (q: string) => searchFleetFrom(t.store, parseSearchTerm(q), NOW, null);

  it('finds a pod by name, by namespace and by namespace/name, saying which node and which veth', async () => {
    const veth = (await t.store.getNode('ip-10-0-1-5'))!.report.veths[0];
    for (const q of ['checkout-7d9f', 'CHECKOUT', 'payments/checkout', 'payments']) {
      const r = await search(q);
      expect(r.hits, q).toEqual([
        expect.objectContaining({ node: 'ip-10-0-1-5', ifname: veth.ifname, mac: veth.mac, podIP: '10.0.1.77', pod: { namespace: 'payments', name: 'checkout-7d9f' }, netns: veth.netns }),
      ]);
      expect(r.nodes.map((n) => n.name)).toEqual(['ip-10-0-1-5']);
      expect(r.truncated).toBe(false);
    }
    expect((await search('payments')).hits[0].matched).toEqual(['namespace']);
    expect((await search('checkout')).hits[0].matched).toEqual(['pod']);
  });

  it('finds a veth by pod IP, by its name and by its MAC (any case)', async () => {
    const veth = (await t.store.getNode('ip-10-0-2-9'))!.report.veths[2];
    expect((await search(veth.podIP!)).hits.map((h) => [h.node, h.ifname, h.matched])).toEqual([['ip-10-0-2-9', veth.ifname, ['podIP']]]);
    expect((await search(veth.ifname)).hits.map((h) => [h.node, h.ifname])).toEqual([['ip-10-0-2-9', veth.ifname]]);
    expect((await search(veth.mac.toUpperCase())).hits.map((h) => [h.node, h.ifname, h.matched])).toEqual([['ip-10-0-2-9', veth.ifname, ['mac']]]);
    expect((await search('10.0.1.77')).hits.map((h) => h.node)).toEqual(['ip-10-0-1-5']);
  });

  it('matches node names without pod hits, and nothing for a term only in other fields of the report', async () => {
    const r = await search('ip-10-0-2');
    expect(r.nodes.map((n) => n.name)).toEqual(['ip-10-0-2-9']);
    expect(r.hits).toEqual([]);
    // In every report's text (the link file path, the OS name), but no pod, IP, veth, MAC or node name holds it.
    for (const q of ['99-default.link', 'bookworm']) {
      const none = await search(q);
      expect(none.hits, q).toEqual([]);
      expect(none.nodes, q).toEqual([]);
    }
  });

  it('takes LIKE wildcards literally', async () => {
    // "_" would match any character: "ip_10" must not find "ip-10-...".
    expect((await search('ip_10')).nodes).toEqual([]);
    expect((await search('10_0_1_77')).hits).toEqual([]);
    // The store's coarse pass too (else "_" and "%" would read reports that cannot match).
    expect(await t.store.searchReports('ip_10', 10)).toEqual([]);
    expect(await t.store.searchReports('%', 10)).toEqual([]);
    expect((await t.store.searchReports('IP-10-0-2', 10)).map((r) => r.node)).toEqual(['ip-10-0-2-9']);
    expect((await t.store.searchReports('ip-10', 1)).map((r) => r.node)).toEqual(['ip-10-0-1-5']);
  });

  it('returns at most SEARCH_MAX_HITS veths and says it cut the list', async () => {
    await ingestReport(t.store, buildReport({ node: 'big', veths: SEARCH_MAX_HITS + 5 }), { bus, receivedAt: new Date('2026-01-01T00:00:20.000Z'), maxClockSkewSeconds: Infinity });
    const r = await search('big-pod');
    expect(r.hits).toHaveLength(SEARCH_MAX_HITS);
    expect(r.truncated).toBe(true);
    expect(r.nodes.map((n) => n.name)).toEqual(['big']);
  });
});

describe('search terms', () => {
  it('accepts names, IPs, MACs and namespace/name; refuses short, long and other characters with 422', () => {
    for (const ok of ['ab', ' checkout ', '10.0.1.77', '0a:1b:2c', 'payments/checkout-1', 'eni1a2b3c4d5e6', 'x'.repeat(253)]) {
      expect(parseSearchTerm(ok), ok).toBe(ok.trim());
      expect(isSearchTerm(ok), ok).toBe(true);
    }
    for (const bad of ['', 'a', '  a ', 'x'.repeat(254), 'a b', "a'b", 'a%b', 'a\\b', 'ü-pod', '<script>']) {
      expect(() => parseSearchTerm(bad), bad).toThrow(ValidationError);
      expect(isSearchTerm(bad), bad).toBe(false);
    }
  });
});
