import 'server-only';
// The guardrail settings row (the pause switch and the fleet-wide cap), read together with the count of active
// remediations: the activation transaction (lib/store/activation.ts) checks both with the same read.
import type { Kysely } from 'kysely';
import type { RemediationSettings } from '../remediation/types';
import type { RemediationSettingsTable, Tables } from './tables';

export interface SettingsPatch {
  paused?: boolean;
  pauseReason?: string | null;
  pausedBy?: string | null;
  maxConcurrent?: number;
  now: string;
}

export interface RemediationSettingsStore {
  getSettings(): Promise<RemediationSettings>;
  updateSettings(patch: SettingsPatch): Promise<RemediationSettings>;
}

/** The settings and the number of remediations holding a node's active slot; `q` may be a transaction. */
export async function readSettings(q: Kysely<Tables>): Promise<RemediationSettings> {
  const s = await q.selectFrom('remediation_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const active = await q
    .selectFrom('remediations')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('active_node', 'is not', null)
    .executeTakeFirstOrThrow();
  return {
    paused: Number(s.paused) === 1,
    pauseReason: s.pause_reason,
    pausedBy: s.paused_by,
    pausedAt: s.paused_at,
    maxConcurrent: Number(s.max_concurrent),
    active: Number(active.n),
    updatedAt: s.updated_at,
  };
}

export function createSettingsStore(open: () => Kysely<Tables>): RemediationSettingsStore {
  return {
    async getSettings() {
      return readSettings(open());
    },

    async updateSettings(patch) {
      const c: Partial<RemediationSettingsTable> = { updated_at: patch.now };
      if (patch.paused !== undefined) {
        c.paused = patch.paused ? 1 : 0;
        c.pause_reason = patch.paused ? (patch.pauseReason ?? null) : null;
        c.paused_by = patch.paused ? (patch.pausedBy ?? null) : null;
        c.paused_at = patch.paused ? patch.now : null;
      }
      if (patch.maxConcurrent !== undefined) c.max_concurrent = patch.maxConcurrent;
      await open().updateTable('remediation_settings').set(c).where('id', '=', 1).execute();
      return readSettings(open());
    },
  };
}
