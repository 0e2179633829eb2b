// Every migration, in order. Add NNNN_name.ts files and list them here; names are stored in kysely_migration,
// so never rename or reorder one that has shipped.
import type { Migration, MigrationProvider } from 'kysely/migration';
import type { Engine } from '../config';
import { initial } from './0001_initial';
import { historyIndexes } from './0002_history_indexes';
import { remediations } from './0003_remediations';
import { policyPackage } from './0005_policy_package';
import { eventMismatchDelta } from './0006_event_mismatch_delta';
import { operatorSessions } from './0007_operator_sessions';
import { explanations } from './0008_explanations';
import { preventionVerifications } from './0009_prevention_verifications';
import { fragileReason } from './0010_fragile_reason';
import { cniKind } from './0011_cni_kind';

export function migrationProvider(engine: Engine): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initial(engine),
        '0002_history_indexes': historyIndexes,
        '0003_remediations': remediations(engine),
        '0005_policy_package': policyPackage,
        '0006_event_mismatch_delta': eventMismatchDelta(engine),
        '0007_operator_sessions': operatorSessions,
        '0008_explanations': explanations,
        '0009_prevention_verifications': preventionVerifications,
        '0010_fragile_reason': fragileReason,
        '0011_cni_kind': cniKind,
      };
    },
  };
}
