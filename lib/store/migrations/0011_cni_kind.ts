// Which CNI wired the node (report cni.kind), as a fleet-table column, so the fleet list can judge each node by
// its own CNI's DaemonSet (lib/kube/cniDaemonSets.ts) without reading every stored report. Filled at ingest; rows
// stored before it, and agents too old to say, stay null (read as the Amazon VPC CNI, as before).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const cniKind: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('nodes').addColumn('cni_kind', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('nodes').dropColumn('cni_kind').execute();
  },
};
