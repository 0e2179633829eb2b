import 'server-only';
// The guardrail transaction: a preview becomes a pending remediation holding its node's active slot, or a
// RemediationConflictError says why not. The guardrails live in SQL: the transaction takes the settings row first
// (a write: the row lock on PostgreSQL, the database write lock on SQLite), so the pause switch and the fleet-wide
// cap are checked by one replica at a time, and the UNIQUE index on `active_node` makes a second active
// remediation on a node impossible whatever the application does.
import type { Kysely } from 'kysely';
import { RemediationConflictError } from '../remediation/errors';
import type { IdentitySource, RemediationProgress } from '../remediation/types';
import { readSettings } from './remediationSettings';
import type { Tables } from './tables';

export interface ActivateInput {
  node: string;
  planId: string;
  requestedBy: string;
  via: IdentitySource;
  now: string;
  fleetRunId?: string | null;
}

/** A UNIQUE violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Activates the node's newest preview with this plan id; returns the remediation's id. */
export async function activatePreview(db: Kysely<Tables>, input: ActivateInput): Promise<string> {
  try {
    return await db.transaction().execute(async (trx) => {
      // First statement and a write: serialises activations across connections and replicas.
      await trx
        .updateTable('remediation_settings')
        .set((eb) => ({ activations: eb('activations', '+', 1) }))
        .where('id', '=', 1)
        .execute();
      const settings = await readSettings(trx);
      if (settings.paused) {
        throw new RemediationConflictError('paused', `remediation is paused${settings.pausedBy ? ` by ${settings.pausedBy}` : ''}: ${settings.pauseReason ?? 'no reason given'}`);
      }
      const rows = await trx
        .selectFrom('remediations')
        .selectAll()
        .where('node', '=', input.node)
        .where('plan_id', '=', input.planId)
        .orderBy('created_at', 'desc')
        .execute();
      const row = rows.find((r) => r.status === 'planned');
      if (!row) {
        const used = rows.find((r) => r.status !== 'expired');
        if (used) throw new RemediationConflictError('already-applied', `plan ${input.planId} was already applied (remediation ${used.id}, ${used.status}); preview again`);
        throw new RemediationConflictError('stale-plan', `no current preview of plan ${input.planId} for node "${input.node}"; preview again`);
      }
      if (row.expires_at <= input.now) {
        throw new RemediationConflictError('expired', `plan ${input.planId} expired at ${row.expires_at}; preview again`);
      }
      const node = await trx.selectFrom('nodes').select(['last_report_id', 'state_hash']).where('name', '=', input.node).executeTakeFirst();
      if (!node || node.state_hash !== row.state_hash) {
        throw new RemediationConflictError(
          'stale-plan',
          `node "${input.node}" reported a different state (report ${node?.last_report_id ?? 'none'}) since plan ${input.planId} was made from report ${row.report_id}; preview again`,
        );
      }
      const active = await trx.selectFrom('remediations').select(['id', 'status']).where('active_node', '=', input.node).executeTakeFirst();
      if (active) {
        throw new RemediationConflictError('active', `node "${input.node}" already has a remediation in progress (${active.id}, ${active.status})`);
      }
      if (settings.active >= settings.maxConcurrent) {
        throw new RemediationConflictError('cap', `${settings.active} remediations are running, the fleet-wide cap is ${settings.maxConcurrent}; try again when one finishes`);
      }
      const updated = await trx
        .updateTable('remediations')
        .set({
          status: 'pending',
          active_node: input.node,
          applied_at: input.now,
          requested_by: input.requestedBy,
          via: input.via,
          fleet_run_id: input.fleetRunId ?? null,
          progress: JSON.stringify({ phase: 'pending', message: 'starting', updatedAt: input.now } satisfies RemediationProgress),
          updated_at: input.now,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'planned')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new RemediationConflictError('already-applied', `plan ${input.planId} was applied by another request`);
      }
      return row.id;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new RemediationConflictError('active', `node "${input.node}" already has a remediation in progress`);
    }
    throw err;
  }
}
