// Schema v2: indexes for the history API and retention. Fleet-wide event lists filter on `at`; pruning deletes
// by `received_at` (server clock) in small batches, oldest first, and must find them without a table scan.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const historyIndexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('events_at_id').on('events').columns(['at', 'id']).execute();
    await db.schema.createIndex('events_received_at_id').on('events').columns(['received_at', 'id']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('events_received_at_id').execute();
    await db.schema.dropIndex('events_at_id').execute();
  },
};
