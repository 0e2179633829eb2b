// "Who am I" for this very request, read on the server through the API's own handler (one code path), into the
// request's QueryClient (lib/queries/client) under the key the client components read (meQuery). The header and
// the page both call this on the same client, so the second call finds the first one's load: one /me per page.
//
// Every page whose own components read meQuery must prefetch it itself, not rely on the header's prefetch: the
// header (SessionHeader) is a separate async server component, and when the page's components render first, their
// useQuery creates the query empty; the header's HydrationBoundary then finds it existing and defers hydration to
// an effect, which never runs in the server render — the first HTML (and a page without JavaScript) would show no
// Remediate button and no session. Seen as an intermittent e2e failure under load.
import 'server-only';
import { headers } from 'next/headers';
import type { QueryClient } from '@tanstack/react-query';
import { meQuery } from '../../lib/queries/remediation';
import type { MeResponse } from '../../lib/remediation/types';

export async function loadMe(): Promise<MeResponse> {
  const { defaultContext, handleMe } = await import('../../lib/remediation/handlers');
  const res = await handleMe(new Request('http://vethwatch.local/api/v1/me', { headers: await headers() }), await defaultContext());
  if (!res.ok) throw new Error(`who-am-I failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as MeResponse;
}

/** A bad bearer token is a 401 for the API, but the page still renders as a viewer: the failure stays out of the render. */
export function prefetchMe(queryClient: QueryClient, load: () => Promise<MeResponse> = loadMe): Promise<void> {
  return queryClient.prefetchQuery(meQuery(() => load()));
}
