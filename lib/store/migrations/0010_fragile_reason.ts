// Why a node's fix will undo itself (report linkPolicy.fragile, joined), as a fleet-table column, so the
// fleet list derives the "fragile" state without reading every stored report. Filled at ingest; reports stored
// before this column existed came from agents that did not look, so existing rows stay null until they report.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const fragileReason: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('nodes').addColumn('fragile_reason', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('nodes').dropColumn('fragile_reason').execute();
  },
};
