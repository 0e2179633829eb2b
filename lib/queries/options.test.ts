import { QueryClient, dehydrate, hydrate } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { ArpTimelineResponse, LinkFileHistoryResponse } from '../history/types';
import type { FleetView, NodeDetail } from '../nodes/types';
import { ApiError, NodeNotFoundError } from './errors';
import { nodeKeys } from './keys';
import { arpTimelineQuery, fleetQuery, linkFileHistoryQuery, nodeQuery } from './options';

const fleet: FleetView = {
  generatedAt: '2026-11-26T14:00:00.000Z',
  counts: { broken: 0, 'at-risk': 0, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 },
  nodes: [],
};

describe('query keys', () => {
  it('nest under one root, so invalidating it refreshes the fleet and every node', () => {
    expect(nodeKeys.fleet().slice(0, 1)).toEqual(nodeKeys.all);
    expect(nodeKeys.detail('a').slice(0, 1)).toEqual(nodeKeys.all);
    expect(nodeKeys.detail('a')).not.toEqual(nodeKeys.detail('b'));
  });
});

describe('queryOptions factories', () => {
  // What a server component prefetched must be what the browser's hook finds: if the keys differed, the page would
  // render with the server's data and then ask the API for it again (or show nothing until it had). So the browser
  // side runs its real fetcher against a counting fetch, and must not call it for what the server already loaded.
  it('give the server loader and the browser fetcher the same key: hydrated data is used without a fetch', async () => {
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      return Response.json({ from: 'browser fetch' });
    });
    try {
      const node = { name: 'n1' } as NodeDetail;
      const arp = { intervals: [] } as unknown as ArpTimelineResponse;
      const linkFiles = { files: [] } as unknown as LinkFileHistoryResponse;
      const server = new QueryClient();
      await server.prefetchQuery(fleetQuery(async () => fleet));
      await server.prefetchQuery(nodeQuery('n1', async () => node));
      await server.prefetchQuery(arpTimelineQuery('n1', '7d', async () => arp));
      await server.prefetchQuery(linkFileHistoryQuery('n1', async () => linkFiles));
      expect(requested).toEqual([]);

      const browser = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
      hydrate(browser, JSON.parse(JSON.stringify(dehydrate(server))));
      expect(await browser.ensureQueryData(fleetQuery())).toEqual(fleet);
      expect(await browser.ensureQueryData(nodeQuery('n1'))).toEqual(node);
      expect(await browser.ensureQueryData(arpTimelineQuery('n1', '7d'))).toEqual(arp);
      expect(await browser.ensureQueryData(linkFileHistoryQuery('n1'))).toEqual(linkFiles);
      expect(requested).toEqual([]);

      // The counter works: what the server did not load, the browser fetches (another node, another range).
      await browser.ensureQueryData(nodeQuery('n2'));
      await browser.ensureQueryData(arpTimelineQuery('n1', '1h'));
      expect(requested.map((u) => u.split('?')[0])).toEqual(['/api/v1/nodes/n2', '/api/v1/nodes/n1/arp-timeline']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('run the given loader with an abort signal, and what the server fetched hydrates under the browser key', async () => {
    const server = new QueryClient();
    let signal: unknown;
    await server.fetchQuery(
      fleetQuery(async (s) => {
        signal = s;
        return fleet;
      }),
    );
    expect(signal).toBeInstanceOf(AbortSignal);

    const browser = new QueryClient();
    hydrate(browser, JSON.parse(JSON.stringify(dehydrate(server))));
    expect(browser.getQueryData(fleetQuery().queryKey)).toEqual(fleet);
  });

  it('pass the node name to the loader and let a missing node surface as NodeNotFoundError', async () => {
    const client = new QueryClient();
    const seen: string[] = [];
    await expect(
      client.fetchQuery(
        nodeQuery('ghost', async (name) => {
          seen.push(name);
          throw new NodeNotFoundError(name);
        }),
      ),
    ).rejects.toBeInstanceOf(NodeNotFoundError);
    expect(seen).toEqual(['ghost']);
  });
});

describe('NodeNotFoundError', () => {
  it('is an ApiError with status 404', () => {
    const err = new NodeNotFoundError('x');
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
  });
});
