// Schema v5: the package (and version) that owns the winning link file of each node's new-veth verdict, as fleet
// table columns, so the fleet page can filter by package version without parsing every stored report. Filled at
// ingest; existing rows are filled here once from their stored report.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

interface StoredReport {
  linkPolicy?: { newVeth?: { linkFile?: string | null }; files?: { path: string; package: { name: string; version: string | null } | null }[] };
}

export const policyPackage: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('nodes').addColumn('policy_package', 'text').execute();
    await db.schema.alterTable('nodes').addColumn('policy_package_version', 'text').execute();
    const rows: { node: string; report: string }[] = await db.selectFrom('node_reports').select(['node', 'report']).execute();
    for (const row of rows) {
      const report = JSON.parse(row.report) as StoredReport;
      const linkFile = report.linkPolicy?.newVeth?.linkFile ?? null;
      const owner = linkFile === null ? null : report.linkPolicy?.files?.find((f) => f.path === linkFile)?.package ?? null;
      if (!owner) continue;
      await db
        .updateTable('nodes')
        .set({ policy_package: owner.name, policy_package_version: owner.version })
        .where('name', '=', row.node)
        .execute();
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('nodes').dropColumn('policy_package_version').execute();
    await db.schema.alterTable('nodes').dropColumn('policy_package').execute();
  },
};
