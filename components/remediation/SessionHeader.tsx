// The header's session control, with "who am I" fetched on the server for this very request: the first HTML (and
// a browser without JavaScript) already knows the role, so an operator's Remediate button is there on first
// paint and a viewer never sees one flash. The answer is dehydrated into the page's one QueryClient under the key
// the client components read (meQuery), so the node panel and fleet control share it.
import 'server-only';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { headers } from 'next/headers';
import { getQueryClient } from '../../lib/queries/client';
import { meQuery } from '../../lib/queries/remediation';
import type { MeResponse } from '../../lib/remediation/types';
import { SessionControl } from './SessionControl';

/** The same answer GET /api/v1/me gives this request's cookies and headers (one code path: the API's handler). */
async function loadMe(): Promise<MeResponse> {
  const { defaultContext, handleMe } = await import('../../lib/remediation/handlers');
  const res = await handleMe(new Request('http://vethwatch.local/api/v1/me', { headers: await headers() }), await defaultContext());
  if (!res.ok) throw new Error(`who-am-I failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as MeResponse;
}

export async function SessionHeader() {
  const queryClient = getQueryClient();
  // A bad bearer token in a browser request is a 401 for the API, but the page should still render as a viewer:
  // prefetchQuery keeps the failure out of the render, and the client asks again.
  await queryClient.prefetchQuery(meQuery(() => loadMe()));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <SessionControl />
    </HydrationBoundary>
  );
}
