import 'server-only';
// Operator browser sessions (migration 0007): one row per sign-in, keyed by the SHA-256 of the cookie's random id.
// In the database, not in a signed cookie, so every replica on one PostgreSQL sees a sign-out at once, and a
// session can be ended without waiting for it to expire.
import type { Kysely } from 'kysely';
import type { OperatorSessionsTable, Tables } from './tables';

export interface SessionRecord {
  idHash: string;
  operator: string;
  /** Fingerprint of the credential the operator signed in with. */
  credential: string;
  createdAt: string;
  expiresAt: string;
}

/** Sessions one operator may hold at once; signing in again past this ends their oldest. */
export const MAX_SESSIONS_PER_OPERATOR = 50;

export interface SessionStore {
  /** Stores a new session; also drops expired ones and the operator's oldest beyond MAX_SESSIONS_PER_OPERATOR. */
  create(session: SessionRecord): Promise<void>;
  /** The session, unless it is unknown or expired at `now` (ISO). */
  get(idHash: string, now: string): Promise<SessionRecord | null>;
  /** Ends one session; false when there was none. */
  delete(idHash: string): Promise<boolean>;
  /** Ends every session of an operator not made with `keepCredential` (all of them when null). Returns how many. */
  deleteForOperator(operator: string, keepCredential: string | null): Promise<number>;
}

const toRecord = (r: OperatorSessionsTable): SessionRecord => ({
  idHash: r.id_hash,
  operator: r.operator,
  credential: r.credential,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export function createSessionStore(db: () => Kysely<Tables>): SessionStore {
  return {
    async create(s) {
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx.deleteFrom('operator_sessions').where('expires_at', '<=', s.createdAt).execute();
          await trx
            .insertInto('operator_sessions')
            .values({ id_hash: s.idHash, operator: s.operator, credential: s.credential, created_at: s.createdAt, expires_at: s.expiresAt })
            .execute();
          const keep = trx
            .selectFrom('operator_sessions')
            .select('id_hash')
            .where('operator', '=', s.operator)
            .orderBy('created_at', 'desc')
            .orderBy('id_hash')
            .limit(MAX_SESSIONS_PER_OPERATOR);
          await trx.deleteFrom('operator_sessions').where('operator', '=', s.operator).where('id_hash', 'not in', keep).execute();
        });
    },
    async get(idHash, now) {
      const row = await db().selectFrom('operator_sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async delete(idHash) {
      const r = await db().deleteFrom('operator_sessions').where('id_hash', '=', idHash).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteForOperator(operator, keepCredential) {
      let q = db().deleteFrom('operator_sessions').where('operator', '=', operator);
      if (keepCredential !== null) q = q.where('credential', '<>', keepCredential);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
