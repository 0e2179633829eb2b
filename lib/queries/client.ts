// One way to get a QueryClient. On the server every call makes a fresh client (one per request: a page calls it
// once, prefetches, dehydrates), so one request's data can never leak into another's. In the browser there is one
// client for the life of the tab, so React re-suspending during the first render does not throw the cache away.
import { QueryClient, defaultShouldDehydrateQuery, environmentManager } from '@tanstack/react-query';
import { ApiError } from './errors';

/** Data younger than this is not refetched on mount, so a hydrated page does not ask again straight away. */
const STALE_MS = 5_000;

function retryUnlessClientError(failureCount: number, error: unknown): boolean {
  // A 4xx (no such node, bad request) will not get better by asking again.
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  // Two quick retries (1 s, 2 s), then say so: a silent retry loop would leave old rows looking current.
  return failureCount < 2;
}

function makeQueryClient(server: boolean): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: STALE_MS,
        // The server renders one snapshot: a failure goes straight to the route's error boundary.
        retry: server ? false : retryUnlessClientError,
      },
      dehydrate: {
        // Also send queries still in flight, so a later streamed prefetch can hydrate on the client.
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === 'pending',
      },
    },
  });
}

let browserClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (environmentManager.isServer()) return makeQueryClient(true);
  browserClient ??= makeQueryClient(false);
  return browserClient;
}
