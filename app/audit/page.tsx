// The audit log: who did what to which node, when, with which plan and Job, and how it ended. The filter form is
// a plain GET form, so filters and pages are ordinary links that can be shared and bookmarked.
import type { Metadata } from 'next';
import { AuditView } from '../../components/remediation/AuditView';
import { auditFiltersFromSearch, type AuditSearch } from '../../components/remediation/auditFilters';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<AuditSearch> }) {
  const search = await searchParams;
  const { filters, inputs, problems } = auditFiltersFromSearch(search);
  return <AuditView filters={filters} inputs={inputs} problems={problems} />;
}
