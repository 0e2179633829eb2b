import { QueryClient, dehydrate, hydrate } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { FleetView, NodeDetail } from '../nodes/types';
import { ApiError, NodeNotFoundError } from './errors';
import { nodeKeys } from './keys';
import { fleetQuery, nodeQuery } from './options';

const fleet: FleetView = {
  generatedAt: '2026-11-26T14:00:00.000Z',
  counts: { broken: 0, 'at-risk': 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 },
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
  it('give the server loader and the browser fetcher the same key', () => {
    expect(fleetQuery(async () => fleet).queryKey).toEqual(fleetQuery().queryKey);
    expect(nodeQuery('n1', async () => ({}) as NodeDetail).queryKey).toEqual(nodeQuery('n1').queryKey);
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
