// The fleet. Prefetches on the server straight from the store (no HTTP to itself) under the same query key the
// client refreshes, so the first HTML is complete and works without JavaScript. A search term (?q=) is searched
// on the server too, so a pod search answers without JavaScript as well.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { FleetView } from '../components/fleet/FleetView';
import { prefetchMe } from '../components/remediation/prefetchMe';
import { getFleet } from '../lib/nodes/read';
import { searchFleetFrom } from '../lib/nodes/search';
import { isSearchTerm } from '../lib/nodes/searchTypes';
import { getQueryClient } from '../lib/queries/client';
import { fleetQuery, fleetSearchQuery } from '../lib/queries/options';
import { getStore } from '../lib/store';

export const dynamic = 'force-dynamic';
// The root layout's title template applies to segments below it, not to its own page.
export const metadata: Metadata = { title: { absolute: 'Fleet · vethwatch' } };

export default async function FleetPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const queryClient = getQueryClient();
  const raw = (await searchParams).q;
  const q = (typeof raw === 'string' ? raw : '').trim();
  // fetchQuery, not prefetchQuery: a failing store must reach error.tsx, not render an empty fleet. A failed
  // search is only a missing hint: the page shows the fleet and the client asks again.
  await Promise.all([
    queryClient.fetchQuery(fleetQuery(() => getFleet())),
    prefetchMe(queryClient),
    isSearchTerm(q) ? queryClient.prefetchQuery(fleetSearchQuery(q, async () => searchFleetFrom(await getStore(), q))) : null,
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <FleetView />
    </HydrationBoundary>
  );
}
