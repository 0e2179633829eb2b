// The header's session control, with "who am I" fetched on the server for this very request: the first HTML (and
// a browser without JavaScript) already knows the role, so an operator's Remediate button is there on first
// paint and a viewer never sees one flash. The answer is dehydrated into the page's one QueryClient under the key
// the client components read (meQuery). Pages whose own components read it prefetch it too (prefetchMe.ts says why).
import 'server-only';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { getQueryClient } from '../../lib/queries/client';
import { prefetchMe } from './prefetchMe';
import { SessionControl } from './SessionControl';

export async function SessionHeader() {
  const queryClient = getQueryClient();
  await prefetchMe(queryClient);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <SessionControl />
    </HydrationBoundary>
  );
}
