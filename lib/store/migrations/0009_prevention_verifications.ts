// Schema v7: `verify --watch` runs (lib/prevention/verification.ts), the latest few per node, each with its probes
// as JSON. The node page shows the newest; nothing else reads the probes.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const preventionVerifications: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('prevention_verifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('node', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('prevention_verifications_node').on('prevention_verifications').columns(['node', 'received_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('prevention_verifications').execute();
  },
};
