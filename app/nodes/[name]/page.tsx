// One node. Prefetches straight from the store under the key the client refreshes; a name that never reported
// is a real 404 (the page is not streamed behind a loading boundary, so the status can still be set).
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { NodeView } from '../../../components/node/NodeView';
import { prefetchMe } from '../../../components/remediation/prefetchMe';
import { getNode } from '../../../lib/nodes/read';
import { getQueryClient } from '../../../lib/queries/client';
import { NodeNotFoundError } from '../../../lib/queries/errors';
import { readArpTimeline, readHostDeviceHistory, readHostDevices, readLinkFileHistory } from '../../../lib/history/read';
import { getStore } from '../../../lib/store';
import {
  arpTimelineQuery,
  DEFAULT_TIMELINE_RANGE,
  hostDeviceHistoryQuery,
  hostDevicesQuery,
  isTimelineRange,
  linkFileHistoryQuery,
  nodeQuery,
} from '../../../lib/queries/options';
import { reportSchema } from '../../../lib/report/schema';
import { getLogger } from '@/lib/log/logger';
import { HOST_DEVICE_PARAM, openIfnames } from '../../../components/node/openRows';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ name: string }> };
type PageProps = Params & { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

async function loadNode(name: string) {
  const node = await getNode(name);
  if (node === null) throw new NodeNotFoundError(name);
  return node;
}

/**
 * The timeline, link-file history, host devices and the host device histories the URL opens (?hostdev=), read from
 * the store under the keys the browser uses, so the first paint (and a page without JavaScript) has them. A failure
 * here only leaves them to the browser to load.
 */
async function prefetchHistory(queryClient: ReturnType<typeof getQueryClient>, name: string, rawRange: unknown, rawHostDevs: unknown) {
  const range = isTimelineRange(rawRange) ? rawRange : DEFAULT_TIMELINE_RANGE;
  const store = await getStore();
  const timelineKey = arpTimelineQuery(name, range).queryKey;
  const linkFilesKey = linkFileHistoryQuery(name).queryKey;
  const hostDevicesKey = hostDevicesQuery(name).queryKey;
  const openDevices = [...openIfnames(typeof rawHostDevs === 'string' ? rawHostDevs : null)];
  const everything = () => ({ from: new Date(0).toISOString(), to: new Date(Date.now() + 1000).toISOString() });
  await Promise.all([
    queryClient.prefetchQuery(hostDevicesQuery(name, (n) => readHostDevices(store, n))),
    ...openDevices.map((ifname) =>
      queryClient.prefetchQuery(
        hostDeviceHistoryQuery(name, ifname, (n, i) =>
          // As the browser asks (lib/queries/fetchers hostDeviceHistoryUrl): the whole life, newest first.
          readHostDeviceHistory(store, n, i, { range: everything(), limit: 200, after: null, format: 'json', order: 'desc' }),
        ),
      ),
    ),
    queryClient.prefetchQuery(
      arpTimelineQuery(name, range, (n, window) =>
        readArpTimeline(store, n, { range: window, limit: 1000, after: null, format: 'json' }, new Date()),
      ),
    ),
    queryClient.prefetchQuery(
      linkFileHistoryQuery(name, (n) =>
        readLinkFileHistory(store, n, {
          range: { from: new Date(0).toISOString(), to: new Date(Date.now() + 1000).toISOString() },
          limit: 1000,
          after: null,
          format: 'json',
          path: null,
        }),
      ),
    ),
  ]);
  // A failed read must not be rendered as an error here: errors are not sent to the browser, which would render
  // "loading" instead and fail hydration. Dropped, the browser loads (and reports) them itself.
  for (const queryKey of [timelineKey, linkFilesKey, hostDevicesKey, ...openDevices.map((i) => hostDeviceHistoryQuery(name, i).queryKey)]) {
    if (queryClient.getQueryState(queryKey)?.status === 'error') {
      getLogger().error({ err: queryClient.getQueryState(queryKey)?.error }, `vethwatch: prefetching ${queryKey.join('/')} failed`);
      queryClient.removeQueries({ queryKey, exact: true });
    }
  }
}

export default async function NodePage({ params, searchParams }: PageProps) {
  const { name } = await params;
  // A name no agent could have sent cannot be in the store: skip the lookup.
  if (!reportSchema.shape.node.safeParse(name).success) notFound();
  const queryClient = getQueryClient();
  try {
    await queryClient.fetchQuery(nodeQuery(name, loadNode));
  } catch (err) {
    if (err instanceof NodeNotFoundError) notFound();
    throw err;
  }
  const search = await searchParams;
  await Promise.all([prefetchHistory(queryClient, name, search.range, search[HOST_DEVICE_PARAM]), prefetchMe(queryClient)]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <NodeView name={name} />
    </HydrationBoundary>
  );
}
