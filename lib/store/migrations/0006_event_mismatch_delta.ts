// Schema v6: each event's effect on its node's count of veths in ARP mismatch (-1, 0, +1; lib/events/mismatch.ts),
// stored with it, and a partial index over the events whose effect is not 0. The fleet's 24 h strips need only
// those: on a new 5,000-node fleet's first day, the window also holds ~550,000 baseline veth.appeared events that
// move nothing, and reading and parsing them all on every fold cost seconds and hundreds of MB.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../config';

/** mismatchDelta() in SQL, for the rows stored before this migration. */
function deltaOf(engine: Engine) {
  const field = (name: string) =>
    engine === 'postgres' ? sql`(coalesce(data::jsonb ->> ${sql.lit(name)}, '') = 'mismatch')::integer` : sql`(coalesce(json_extract(data, ${sql.lit(`$.${name}`)}), '') = 'mismatch')`;
  return sql`case type
    when 'arp.changed' then ${field('to')} - ${field('from')}
    when 'veth.appeared' then ${field('arpStatus')}
    when 'veth.vanished' then -${field('arpStatus')}
    else 0 end`;
}

export function eventMismatchDelta(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('events').addColumn('mismatch_delta', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update events set mismatch_delta = ${deltaOf(engine)} where type in ('arp.changed', 'veth.appeared', 'veth.vanished')`.execute(db);
      await db.schema.createIndex('events_mismatch_at_id').on('events').columns(['at', 'id']).where(sql.ref('mismatch_delta'), '<>', 0).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('events_mismatch_at_id').execute();
      await db.schema.alterTable('events').dropColumn('mismatch_delta').execute();
    },
  };
}
