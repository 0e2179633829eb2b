// The fleet. Prefetches on the server straight from the store (no HTTP to itself) under the same query key the
// client refreshes, so the first HTML is complete and works without JavaScript.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { FleetView } from '../components/fleet/FleetView';
import { prefetchMe } from '../components/remediation/prefetchMe';
import { getFleet } from '../lib/nodes/read';
import { getQueryClient } from '../lib/queries/client';
import { fleetQuery } from '../lib/queries/options';

export const dynamic = 'force-dynamic';
// The root layout's title template applies to segments below it, not to its own page.
export const metadata: Metadata = { title: { absolute: 'Fleet · vethwatch' } };

export default async function FleetPage() {
  const queryClient = getQueryClient();
  // fetchQuery, not prefetchQuery: a failing store must reach error.tsx, not render an empty fleet.
  await Promise.all([queryClient.fetchQuery(fleetQuery(() => getFleet())), prefetchMe(queryClient)]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <FleetView />
    </HydrationBoundary>
  );
}
