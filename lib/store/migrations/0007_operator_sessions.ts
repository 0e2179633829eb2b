// Schema v7: operator browser sessions, server-side so that signing out, an expired lifetime or a changed operator
// credential ends a session for every copy of its cookie on every replica. The cookie holds a random id; only its
// SHA-256 is stored, so reading this table gives nobody a usable cookie.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const operatorSessions: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('operator_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('operator', 'text', (c) => c.notNull())
      // Derived from the operator's token (lib/auth/operators.ts credentialFingerprint): a new token, a new value.
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('operator_sessions_expires').on('operator_sessions').column('expires_at').execute();
    await db.schema.createIndex('operator_sessions_operator').on('operator_sessions').columns(['operator', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('operator_sessions').execute();
  },
};
