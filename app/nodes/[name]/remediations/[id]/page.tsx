// One remediation by itself, for links from the audit log: its plan, progress and evidence.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RemediationDetail } from '../../../../../components/remediation/RemediationDetail';
import { reportSchema } from '../../../../../lib/report/schema';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ name: string; id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { name, id } = await params;
  return { title: `Remediation ${id} · ${name}` };
}

export default async function RemediationPage({ params }: Params) {
  const { name, id } = await params;
  if (!reportSchema.shape.node.safeParse(name).success || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) notFound();
  return <RemediationDetail node={name} id={id} />;
}
