// The header's session control, with "who am I" fetched on the server for this very request: the first HTML (and
// a browser without JavaScript) already knows the role, so an operator's Remediate button is there on first
// paint and a viewer never sees one flash. The answer goes into the request's one QueryClient (lib/queries/client),
// the one the page prefetches into too, under the key the client components read (meQuery). Pages whose own
// components read it prefetch it too (prefetchMe.ts says why); it is loaded once either way.
import 'server-only';
import { dehydrate, defaultShouldDehydrateQuery, hashKey, HydrationBoundary } from '@tanstack/react-query';
import { getQueryClient } from '../../lib/queries/client';
import { meQuery } from '../../lib/queries/remediation';
import { prefetchMe } from './prefetchMe';
import { SessionControl } from './SessionControl';

const meHash = hashKey(meQuery().queryKey);

export async function SessionHeader() {
  const queryClient = getQueryClient();
  await prefetchMe(queryClient);
  // Only "who am I": the page's own boundary sends what the page prefetched into the same client.
  const state = dehydrate(queryClient, { shouldDehydrateQuery: (q) => q.queryHash === meHash && defaultShouldDehydrateQuery(q) });
  return (
    <HydrationBoundary state={state}>
      <SessionControl />
    </HydrationBoundary>
  );
}
