import 'server-only';
// History reads for the timeline API and the retention job's pruning. Timestamps compare as text: callers pass
// them normalised (toISOString(), UTC with milliseconds), the form every stored timestamp has.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { MismatchMove } from '../events/mismatch';
import type { EventType, NodeEvent } from '../events/types';
import type { EventsTable, Tables } from './tables';

export interface EventPageQuery {
  node?: string;
  subject?: string;
  types?: readonly EventType[];
  /** Only events with at >= fromAt. */
  fromAt?: string;
  /** Only events with at < toAt. */
  toAt?: string;
  afterId?: number;
  beforeId?: number;
  order?: 'asc' | 'desc';
  /** 1..5000. */
  limit: number;
}

export interface HistoryStore {
  /** Events matching every filter given, by id. */
  listEventsPage(query: EventPageQuery): Promise<NodeEvent[]>;
  /** For each subject of one node: its latest event among `types` with at < beforeAt. */
  latestPerSubject(query: { node: string; types: readonly EventType[]; beforeAt: string }): Promise<NodeEvent[]>;
  /** The first event among `types` of one node and subject after an id, or null. */
  firstAfter(query: { node: string; subject: string; types: readonly EventType[]; afterId: number }): Promise<NodeEvent | null>;
  /**
   * Fleet-wide events that moved a node's mismatch count, with at >= fromAt, in (at, id) order, a page at a time:
   * keyset paging on a partial index that holds only such events, so neither older history nor the many events
   * that move no count (a new fleet's baseline veth.appeared) cost anything. Pass the last row's at and id to
   * continue.
   */
  listMismatchMoves(query: { fromAt: string; after?: { at: string; id: number }; limit: number }): Promise<MismatchMove[]>;
  /** Deletes up to `limit` of the oldest events received before `receivedBefore`; returns how many it deleted. */
  pruneEvents(receivedBefore: string, limit: number): Promise<number>;
}

const ID_CHUNK = 500;

export function eventFromRow(row: Selectable<EventsTable>): NodeEvent {
  return {
    id: Number(row.id),
    node: row.node,
    type: row.type,
    at: row.at,
    receivedAt: row.received_at,
    reportId: row.report_id,
    subject: row.subject,
    data: JSON.parse(row.data),
  } as NodeEvent;
}

export function createHistoryStore(open: () => Kysely<Tables>): HistoryStore {
  return {
    async listEventsPage(query) {
      const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 5000);
      let q = open().selectFrom('events').selectAll();
      if (query.node !== undefined) q = q.where('node', '=', query.node);
      if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
      if (query.types && query.types.length > 0) q = q.where('type', 'in', [...query.types]);
      if (query.fromAt !== undefined) q = q.where('at', '>=', query.fromAt);
      if (query.toAt !== undefined) q = q.where('at', '<', query.toAt);
      if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
      if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
      const rows = await q.orderBy('id', query.order ?? 'asc').limit(limit).execute();
      return rows.map(eventFromRow);
    },

    async latestPerSubject({ node, types, beforeAt }) {
      if (types.length === 0) return [];
      const db = open();
      // A node's events take ids in report order, so "at < beforeAt" is "id < the first id at or after it": one
      // index probe, after which the per-subject maxima come from the (node, subject, id) index alone.
      const bound = await db
        .selectFrom('events')
        .select('id')
        .where('node', '=', node)
        .where('at', '>=', beforeAt)
        .orderBy('at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      const below = bound ? Number(bound.id) : null;
      let latest = db
        .selectFrom('events')
        .select((eb) => ['subject', eb.fn.max('id').as('id')])
        .where('node', '=', node)
        .where('subject', 'is not', null);
      if (below !== null) latest = latest.where('id', '<', below);
      const ids = (await latest.groupBy('subject').execute()).map((r) => Number(r.id));
      const wanted = new Set<string>(types);
      const out: NodeEvent[] = [];
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const rows = await db.selectFrom('events').selectAll().where('id', 'in', ids.slice(i, i + ID_CHUNK)).execute();
        for (const row of rows) {
          if (wanted.has(row.type)) {
            out.push(eventFromRow(row));
            continue;
          }
          // The subject's latest event is of another type (a MAC change, say): step back to the latest wanted one.
          let back = db
            .selectFrom('events')
            .selectAll()
            .where('node', '=', node)
            .where('subject', '=', row.subject)
            .where('type', 'in', [...types])
            .where('id', '<', Number(row.id));
          back = back.orderBy('id', 'desc').limit(1);
          const found = await back.executeTakeFirst();
          if (found) out.push(eventFromRow(found));
        }
      }
      return out.sort((a, b) => a.id - b.id);
    },

    async firstAfter({ node, subject, types, afterId }) {
      if (types.length === 0) return null;
      const row = await open()
        .selectFrom('events')
        .selectAll()
        .where('node', '=', node)
        .where('subject', '=', subject)
        .where('type', 'in', [...types])
        .where('id', '>', afterId)
        .orderBy('id', 'asc')
        .limit(1)
        .executeTakeFirst();
      return row ? eventFromRow(row) : null;
    },

    async listMismatchMoves({ fromAt, after, limit }) {
      // A literal, not a parameter: SQLite uses a partial index only when the query repeats its condition as such.
      let q = open().selectFrom('events').select(['id', 'node', 'at', 'mismatch_delta']).where(sql<boolean>`mismatch_delta <> 0`).where('at', '>=', fromAt);
      if (after) q = q.where((eb) => eb.or([eb('at', '>', after.at), eb.and([eb('at', '=', after.at), eb('id', '>', after.id)])]));
      const rows = await q
        .orderBy('at')
        .orderBy('id')
        .limit(Math.min(Math.max(Math.trunc(limit), 1), 20000))
        .execute();
      return rows.map((r) => ({ id: Number(r.id), node: r.node, at: r.at, delta: Number(r.mismatch_delta) }));
    },

    async pruneEvents(receivedBefore, limit) {
      const db = open();
      // One small statement per batch: each holds its locks briefly, so ingest never waits long behind it.
      const result = await db
        .deleteFrom('events')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('events')
            .select('id')
            .where('received_at', '<', receivedBefore)
            .orderBy('received_at')
            .orderBy('id')
            .limit(Math.max(1, Math.trunc(limit))),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
