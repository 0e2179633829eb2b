import 'server-only';
// "Fix all at-risk nodes" runs: one row each, its per-node progress kept as JSON (lib/remediation/fleet.ts
// rewrites the whole run as its waves move).
import type { Kysely, Selectable } from 'kysely';
import type { FleetRun, FleetRunNode } from '../remediation/types';
import type { FleetRunsTable, Tables } from './tables';

export interface FleetRunStore {
  insertFleetRun(run: FleetRun): Promise<void>;
  updateFleetRun(run: FleetRun): Promise<void>;
  getFleetRun(id: string): Promise<FleetRun | null>;
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

    async updateFleetRun(run) {
      await open()
        .updateTable('fleet_runs')
        .set({
          status: run.status,
          finished_at: run.finishedAt,
          stopped_reason: run.stoppedReason,
          current_wave: run.currentWave,
          nodes: JSON.stringify(run.nodes),
        })
        .where('id', '=', run.id)
        .execute();
    },

    async getFleetRun(id) {
      const r = await open().selectFrom('fleet_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toFleetRun(r) : null;
    },
  };
}
