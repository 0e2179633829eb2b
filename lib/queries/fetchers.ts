// Browser-side loaders for the read API. The server never calls these: it prefetches with lib/nodes/read
// directly instead of making an HTTP request to itself.
import type { FleetView, NodeDetail } from '../nodes/types';
import { ApiError, NodeNotFoundError } from './errors';

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      const body = (await res.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      // The status line is the message then.
    }
    throw new ApiError(message, res.status);
  }
  return (await res.json()) as T;
}

export function fetchFleet(signal?: AbortSignal): Promise<FleetView> {
  return getJson<FleetView>('/api/v1/nodes', signal);
}

export async function fetchNode(name: string, signal?: AbortSignal): Promise<NodeDetail> {
  try {
    return await getJson<NodeDetail>(`/api/v1/nodes/${encodeURIComponent(name)}`, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new NodeNotFoundError(name);
    throw err;
  }
}
