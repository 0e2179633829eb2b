// "Prevent on new nodes": the bootstrap snippets (lib/prevention) and which nodes came up protected. ?node= picks
// the recommendation from that node's reported OS; ?os= and ?kind= override it.
import type { Metadata } from 'next';
import { PreventionPanel } from '../../components/prevention/PreventionPanel';
import { ProvenanceTable } from '../../components/prevention/ProvenanceTable';
import { readPreventionFleet } from '../../lib/prevention/provenanceRead';
import { preventView } from '../../lib/prevention/view';
import { reportSchema } from '../../lib/report/schema';
import { getStore } from '../../lib/store';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Prevent on new nodes' };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : null);

export default async function PreventPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const store = await getStore();
  const rows = await readPreventionFleet(store);
  const name = one(search.node);
  const row = name && reportSchema.shape.node.safeParse(name).success ? rows.find((r) => r.name === name) : undefined;
  const view = preventView({ node: row ? { name: row.name, osPrettyName: row.osPrettyName } : null, os: one(search.os), kind: one(search.kind) });
  return (
    <div className="stack">
      <h1>Prevent on new nodes</h1>
      <PreventionPanel view={view} />
      <ProvenanceTable rows={rows} />
    </div>
  );
}
