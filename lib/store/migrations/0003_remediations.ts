// Schema v3: remediations (issue 5), their guardrail settings, fleet runs, and the append-only audit log.
// "One active remediation per node" lives in the database: `active_node` holds the node name while a remediation is
// pending or running and NULL otherwise, under a UNIQUE index (NULLs never collide on either engine), so two server
// replicas cannot both start one.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../config';

export const DEFAULT_MAX_CONCURRENT = 3;

export function remediations(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('remediations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('plan_id', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        // The node's state hash the plan was made from: a later report with the same state keeps the plan valid.
        .addColumn('state_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('active_node', 'text')
        .addColumn('executor', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('fleet_run_id', 'text')
        .addColumn('job_name', 'text')
        .addColumn('job_namespace', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('verified_at', 'text')
        .addColumn('progress', 'text')
        .addColumn('dry_run_error', 'text')
        .addColumn('error', 'text')
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .addColumn('agent_verified', 'integer')
        .addColumn('agent_summary', 'text')
        .addColumn('next_report', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('remediations_active_node').unique().on('remediations').column('active_node').execute();
      await db.schema.createIndex('remediations_node_created').on('remediations').columns(['node', 'created_at']).execute();
      await db.schema.createIndex('remediations_status').on('remediations').columns(['status', 'node']).execute();

      await db.schema
        .createTable('remediation_settings')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('paused', 'integer', (c) => c.notNull())
        .addColumn('pause_reason', 'text')
        .addColumn('paused_by', 'text')
        .addColumn('paused_at', 'text')
        .addColumn('max_concurrent', 'integer', (c) => c.notNull())
        // Bumped by every activation: the first write of its transaction, so the cap check that follows is
        // serialised (row lock on PostgreSQL, the write lock on SQLite) across replicas.
        .addColumn('activations', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db
        .insertInto('remediation_settings')
        .values({ id: 1, paused: 0, max_concurrent: DEFAULT_MAX_CONCURRENT, activations: 0, updated_at: new Date().toISOString() })
        .execute();

      await db.schema
        .createTable('fleet_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('cap', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('stopped_reason', 'text')
        .addColumn('current_wave', 'integer', (c) => c.notNull())
        .addColumn('nodes', 'text', (c) => c.notNull())
        .execute();

      let audit = db.schema.createTable('audit');
      audit =
        engine === 'postgres'
          ? audit.addColumn('id', 'bigserial', (c) => c.primaryKey())
          : audit.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await audit
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('node', 'text')
        .addColumn('plan_id', 'text')
        .addColumn('remediation_id', 'text')
        .addColumn('job_name', 'text')
        .addColumn('result', 'text')
        .addColumn('verification', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_at').on('audit').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_node_id').on('audit').columns(['node', 'id']).execute();
      if (engine === 'postgres') {
        // Append-only, enforced where it counts: retention may delete rows a year old, nothing may edit them.
        await sql`create function audit_no_update() returns trigger language plpgsql as $$
          begin raise exception 'the audit log is append-only'; end $$`.execute(db);
        await sql`create trigger audit_append_only before update on audit for each row execute function audit_no_update()`.execute(db);
        await sql`create function audit_keep_a_year() returns trigger language plpgsql as $$
          begin
            if old.at > to_char((now() at time zone 'utc') - interval '365 days', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') then
              raise exception 'audit entries are kept for at least a year';
            end if;
            return old;
          end $$`.execute(db);
        await sql`create trigger audit_retention before delete on audit for each row execute function audit_keep_a_year()`.execute(db);
      } else {
        await sql`create trigger audit_append_only before update on audit
          begin select raise(abort, 'the audit log is append-only'); end`.execute(db);
        await sql`create trigger audit_retention before delete on audit
          when old.at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-365 days')
          begin select raise(abort, 'audit entries are kept for at least a year'); end`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('audit').execute();
      if (engine === 'postgres') {
        await sql`drop function if exists audit_no_update()`.execute(db);
        await sql`drop function if exists audit_keep_a_year()`.execute(db);
      }
      await db.schema.dropTable('fleet_runs').execute();
      await db.schema.dropTable('remediation_settings').execute();
      await db.schema.dropTable('remediations').execute();
    },
  };
}
