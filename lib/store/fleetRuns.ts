import 'server-only';
// "Fix all at-risk nodes" runs: one row each, its per-node progress kept as JSON (lib/remediation/fleet.ts
// rewrites the whole run as its waves move).
import type { Kysely, Selectable } from 'kysely';
import type { FleetRun, FleetRunNode, FleetRunStatus } from '../remediation/types';
import type { FleetRunsTable, Tables } from './tables';

export interface FleetRunStore {
  insertFleetRun(run: FleetRun): Promise<void>;
  /** Saves the run; with `whenStatus`, only while its stored status is one of those (false when it was not). */
  updateFleetRun(run: FleetRun, whenStatus?: readonly FleetRunStatus[]): Promise<boolean>;
  getFleetRun(id: string): Promise<FleetRun | null>;
  /** Fleet runs in these statuses, oldest first (start-up recovery looks for 'running'). */
  listFleetRuns(statuses: readonly FleetRunStatus[]): Promise<FleetRun[]>;
}

function toFleetRun(r: Selectable<FleetRunsTable>): FleetRun {
  return {
    id: r.id,
    status: r.status,
    requestedBy: r.requested_by,
    cap: Number(r.cap),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    stoppedReason: r.stopped_reason,
    currentWave: Number(r.current_wave),
    nodes: JSON.parse(r.nodes) as FleetRunNode[],
  };
}

export function createFleetRunStore(open: () => Kysely<Tables>): FleetRunStore {
  return {
    async insertFleetRun(run) {
      await open()
        .insertInto('fleet_runs')
        .values({
          id: run.id,
          status: run.status,
          requested_by: run.requestedBy,
          cap: run.cap,
          created_at: run.createdAt,
          finished_at: run.finishedAt,
          stopped_reason: run.stoppedReason,
          current_wave: run.currentWave,
          nodes: JSON.stringify(run.nodes),
        })
        .execute();
    },

    async updateFleetRun(run, whenStatus) {
      let q = open()
        .updateTable('fleet_runs')
        .set({
          status: run.status,
          finished_at: run.finishedAt,
          stopped_reason: run.stoppedReason,
          current_wave: run.currentWave,
          nodes: JSON.stringify(run.nodes),
        })
        .where('id', '=', run.id);
      if (whenStatus) q = q.where('status', 'in', [...whenStatus]);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async getFleetRun(id) {
      const r = await open().selectFrom('fleet_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toFleetRun(r) : null;
    },

    async listFleetRuns(statuses) {
      const rows = await open().selectFrom('fleet_runs').selectAll().where('status', 'in', [...statuses]).orderBy('created_at').execute();
      return rows.map(toFleetRun);
    },
  };
}
