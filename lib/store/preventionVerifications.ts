import 'server-only';
// `verify --watch` documents: written by the agent endpoint (lib/prevention/http.ts), the newest read by the node
// page. Bounded: each insert deletes the node's runs beyond VERIFICATIONS_KEPT, oldest first.
import type { Kysely } from 'kysely';
import { summarize, VERIFICATIONS_KEPT, type Verification, type VerificationSummary } from '../prevention/verification';
import type { Tables } from './tables';

export interface PreventionStore {
  /** False when this verificationId was already stored (a resend): nothing changes. */
  recordVerification(v: Verification, receivedAt: string): Promise<boolean>;
  latestVerification(node: string): Promise<VerificationSummary | null>;
}

export function createPreventionStore(open: () => Kysely<Tables>): PreventionStore {
  return {
    async recordVerification(v, receivedAt) {
      return open()
        .transaction()
        .execute(async (trx) => {
          const inserted = await trx
            .insertInto('prevention_verifications')
            .values({ id: v.verificationId, node: v.node, started_at: v.startedAt, finished_at: v.finishedAt, received_at: receivedAt, result: v.result, document: JSON.stringify(v) })
            .onConflict((oc) => oc.column('id').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
          const keep = await trx
            .selectFrom('prevention_verifications')
            .select('id')
            .where('node', '=', v.node)
            .orderBy('received_at', 'desc')
            .orderBy('id', 'desc')
            .limit(VERIFICATIONS_KEPT)
            .execute();
          await trx
            .deleteFrom('prevention_verifications')
            .where('node', '=', v.node)
            .where(
              'id',
              'not in',
              keep.map((k) => k.id),
            )
            .execute();
          return true;
        });
    },

    async latestVerification(node) {
      const row = await open()
        .selectFrom('prevention_verifications')
        .select(['document', 'received_at'])
        .where('node', '=', node)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? summarize(JSON.parse(row.document) as Verification, row.received_at) : null;
    },
  };
}
