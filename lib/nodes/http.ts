import 'server-only';
// GET /api/v1/nodes on the custom server's lean path. Every open fleet page refetches the whole fleet (5,000 nodes
// is 3.4 MB of JSON), so this list is answered without Next's request pipeline (~30 ms of a ~90 ms answer,
// docs/performance.md) and compressed off the event loop. `?q=` searches instead (lib/nodes/search.ts): nodes,
// pods, pod IPs, veth names and MACs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonText } from '../http/compress';
import { MethodNotAllowedError } from '../http/errors';
import { sendError } from '../http/node';
import type { Store } from '../store';
import { getFleetFrom } from './read';
import { parseSearchTerm, searchFleetFrom } from './search';

export const FLEET_PATH = '/api/v1/nodes';

export interface FleetHandlerDeps {
  store: () => Promise<Store>;
}

/**
 * Requests that arrive while the list is being built share that build: a hundred tabs refreshing together cost
 * one read of the store, and the oldest answer any of them gets is from a build that was under way when it asked.
 */
const building = new WeakMap<FleetHandlerDeps['store'], Promise<string>>();

function buildFleetText(deps: FleetHandlerDeps): Promise<string> {
  let pending = building.get(deps.store);
  if (!pending) {
    pending = (async () => JSON.stringify(await getFleetFrom(await deps.store())))().finally(() => building.delete(deps.store));
    building.set(deps.store, pending);
  }
  return pending;
}

export async function handleFleetRequest(req: IncomingMessage, res: ServerResponse, deps: FleetHandlerDeps): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET', 'HEAD']);
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('q');
    if (q !== null) {
      // Validated before the store is touched: a bad term costs nothing.
      const term = parseSearchTerm(q);
      await sendJsonText(req, res, 200, JSON.stringify(await searchFleetFrom(await deps.store(), term)));
      return;
    }
    await sendJsonText(req, res, 200, await buildFleetText(deps));
  } catch (err) {
    sendError(res, err);
  }
}
