// Schema v7, for explanations that are true: the file that sets MACAddressPolicy= for new veths (a drop-in when
// one does), as a fleet-table column next to policy_link_file, filled from the stored reports once; and when a
// verified remediation regressed (the node broke again after it), with why.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { policySourceOf } from '../../nodes/policySource';
import type { Report } from '../../report/schema';

export const explanations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('nodes').addColumn('policy_source', 'text').execute();
    await db.schema.alterTable('remediations').addColumn('regressed_at', 'text').execute();
    await db.schema.alterTable('remediations').addColumn('regressed_reason', 'text').execute();
    const rows: { node: string; report: string }[] = await db.selectFrom('node_reports').select(['node', 'report']).execute();
    for (const row of rows) {
      const report = JSON.parse(row.report) as Partial<Report>;
      const verdict = report.linkPolicy?.newVeth;
      if (!verdict) continue;
      const source = policySourceOf({ ...verdict, dropIns: verdict.dropIns ?? [] }, report.linkPolicy?.files ?? []);
      await db.updateTable('nodes').set({ policy_source: source }).where('name', '=', row.node).execute();
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('remediations').dropColumn('regressed_reason').execute();
    await db.schema.alterTable('remediations').dropColumn('regressed_at').execute();
    await db.schema.alterTable('nodes').dropColumn('policy_source').execute();
  },
};
