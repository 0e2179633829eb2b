// Schema v1: current state (nodes, node_reports) and history (events).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../config';

export function initial(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('nodes')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('first_report_at', 'text', (c) => c.notNull())
        .addColumn('last_report_at', 'text', (c) => c.notNull())
        .addColumn('collected_at', 'text', (c) => c.notNull())
        .addColumn('last_report_id', 'text', (c) => c.notNull())
        .addColumn('recent_report_ids', 'text', (c) => c.notNull())
        .addColumn('state_hash', 'text', (c) => c.notNull())
        .addColumn('state_changed_at', 'text', (c) => c.notNull())
        .addColumn('interval_seconds', 'integer', (c) => c.notNull())
        .addColumn('agent_version', 'text', (c) => c.notNull())
        .addColumn('os_pretty_name', 'text')
        .addColumn('os_kernel', 'text')
        .addColumn('os_systemd_version', 'integer')
        .addColumn('policy_mac', 'text')
        .addColumn('policy_link_file', 'text')
        .addColumn('policy_rewrites', 'integer', (c) => c.notNull())
        .addColumn('veth_count', 'integer', (c) => c.notNull())
        .addColumn('mismatch_count', 'integer', (c) => c.notNull())
        .addColumn('unknown_arp_count', 'integer', (c) => c.notNull())
        .addColumn('reports_total', 'integer', (c) => c.notNull())
        .addColumn('dropped_reports_total', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('node_reports')
        .addColumn('node', 'text', (c) => c.primaryKey().references('nodes.name').onDelete('cascade'))
        .addColumn('report', 'text', (c) => c.notNull())
        .execute();

      let events = db.schema.createTable('events');
      events =
        engine === 'postgres'
          ? events.addColumn('id', 'bigserial', (c) => c.primaryKey())
          : // AUTOINCREMENT: ids are never reused, even after the newest rows are deleted (SSE resumes by id).
            events.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await events
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('dedup_key', 'text')
        .execute();
      await db.schema.createIndex('events_node_id').on('events').columns(['node', 'id']).execute();
      await db.schema.createIndex('events_node_subject_id').on('events').columns(['node', 'subject', 'id']).execute();
      await db.schema.createIndex('events_node_at').on('events').columns(['node', 'at']).execute();
      // NULL keys never collide on either engine, so only keyed events (package events) are deduplicated.
      await db.schema.createIndex('events_node_dedup').unique().on('events').columns(['node', 'dedup_key']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('events').execute();
      await db.schema.dropTable('node_reports').execute();
      await db.schema.dropTable('nodes').execute();
    },
  };
}
