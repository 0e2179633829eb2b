// One node. Prefetches straight from the store under the key the client refreshes; a name that never reported
// is a real 404 (the page is not streamed behind a loading boundary, so the status can still be set).
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { NodeView } from '../../../components/node/NodeView';
import { getNode } from '../../../lib/nodes/read';
import { getQueryClient } from '../../../lib/queries/client';
import { NodeNotFoundError } from '../../../lib/queries/errors';
import { nodeQuery } from '../../../lib/queries/options';
import { reportSchema } from '../../../lib/report/schema';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

async function loadNode(name: string) {
  const node = await getNode(name);
  if (node === null) throw new NodeNotFoundError(name);
  return node;
}

export default async function NodePage({ params }: Params) {
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
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <NodeView name={name} />
    </HydrationBoundary>
  );
}
