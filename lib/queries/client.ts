// One way to get a QueryClient. On the server there is one client per request: React's cache() scopes it to the
// request being rendered, so the layout's header and the page prefetch into the same client (the header's "who am
// I" and the page's are one /me load, not two), and one request's data can never leak into another's. In the
// browser there is one client for the life of the tab, so React re-suspending during the first render does not
// throw the cache away.
import { QueryClient, defaultShouldDehydrateQuery, environmentManager } from '@tanstack/react-query';
import { cache } from 'react';
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

/** Per server request (outside a React server render, e.g. a route handler, every call makes a new one). */
const requestQueryClient = cache(() => makeQueryClient(true));

let browserClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (environmentManager.isServer()) return requestQueryClient();
  browserClient ??= makeQueryClient(false);
  return browserClient;
}
