// queryOptions factories shared by server prefetch and client hooks. Both sides use the same key and options;
// only the loader differs: the browser fetches the JSON API, a server component passes a loader that reads the
// store directly (lib/nodes/read) so the server never makes an HTTP request to itself.
import { queryOptions } from '@tanstack/react-query';
import type { FleetView, NodeDetail } from '../nodes/types';
import { fetchFleet, fetchNode } from './fetchers';
import { nodeKeys } from './keys';

/** How often an open page asks again. A report arrives every agent interval; stale marking needs a fresh look. */
export const REFRESH_MS = 10_000;

export type FleetLoader = (signal: AbortSignal) => Promise<FleetView>;
export type NodeLoader = (name: string, signal: AbortSignal) => Promise<NodeDetail>;

export function fleetQuery(load: FleetLoader = fetchFleet) {
  return queryOptions({
    queryKey: nodeKeys.fleet(),
    queryFn: ({ signal }) => load(signal),
    refetchInterval: REFRESH_MS,
  });
}

/** The loader must throw NodeNotFoundError (lib/queries/errors) for a node that never reported. */
export function nodeQuery(name: string, load: NodeLoader = fetchNode) {
  return queryOptions({
    queryKey: nodeKeys.detail(name),
    queryFn: ({ signal }) => load(name, signal),
    refetchInterval: REFRESH_MS,
  });
}
