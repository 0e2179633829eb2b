import 'server-only';
// The audit log: appended to, read newest first a page at a time. Append-only in the database itself (migration
// 0003's triggers), so nothing here can edit an entry.
import type { Kysely, Selectable } from 'kysely';
import type { AuditAction, AuditEntry, AuditPage } from '../remediation/types';
import type { AuditTable, Tables } from './tables';

export interface NewAuditEntry {
  at: string;
  actor: string;
  via: AuditEntry['via'];
  action: AuditAction;
  node?: string | null;
  planId?: string | null;
  remediationId?: string | null;
  jobName?: string | null;
  result?: string | null;
  verification?: string | null;
  detail?: string | null;
}

export interface ListAuditOptions {
  /** An entry id: only older entries (the next page). */
  cursor?: string;
  from?: string;
  to?: string;
  node?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface AuditStore {
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(options?: ListAuditOptions): Promise<AuditPage>;
}

function toAudit(r: Selectable<AuditTable>): AuditEntry {
  return {
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    via: r.via,
    action: r.action,
    node: r.node,
    planId: r.plan_id,
    remediationId: r.remediation_id,
    jobName: r.job_name,
    result: r.result,
    verification: r.verification,
    detail: r.detail,
  };
}

export function createAuditStore(open: () => Kysely<Tables>): AuditStore {
  return {
    async appendAudit(entry) {
      const row = await open()
        .insertInto('audit')
        .values({
          at: entry.at,
          actor: entry.actor,
          via: entry.via,
          action: entry.action,
          node: entry.node ?? null,
          plan_id: entry.planId ?? null,
          remediation_id: entry.remediationId ?? null,
          job_name: entry.jobName ?? null,
          result: entry.result ?? null,
          verification: entry.verification ?? null,
          detail: entry.detail ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAudit(row);
    },

    async listAudit(options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
      let q = open().selectFrom('audit').selectAll();
      if (options.cursor !== undefined) q = q.where('id', '<', Number(options.cursor));
      if (options.from !== undefined) q = q.where('at', '>=', options.from);
      if (options.to !== undefined) q = q.where('at', '<', options.to);
      if (options.node !== undefined) q = q.where('node', '=', options.node);
      const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
      const entries = rows.slice(0, limit).map(toAudit);
      return { entries, nextCursor: rows.length > limit ? entries[entries.length - 1].id : null };
    },
  };
}
