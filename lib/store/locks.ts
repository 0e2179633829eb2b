import 'server-only';
// Named locks for jobs that must run once across server replicas (history pruning, say). PostgreSQL: a session
// advisory lock (pg_try_advisory_lock) held on one pooled connection for the length of the job, so it is
// released even if this process dies mid-job (the session ends). SQLite: one process owns the database file,
// so an in-process guard is enough.
import { sql, type Kysely } from 'kysely';
import type { Engine } from './config';
import type { Tables } from './tables';
import { getLogger } from '../log/logger';

export type LockResult<T> = { acquired: true; value: T } | { acquired: false };

export interface LockStore {
  /**
   * Runs fn while holding the lock `name`, or returns `{ acquired: false }` at once when another holder (another
   * replica, or another run in this process) has it. Never waits for the lock.
   */
  tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>>;
}

/** Advisory lock class for named job locks; lib/store/store.ts uses ...339 and ...340 for its own locks. */
export const JOB_LOCK_CLASS = 1986356341;

export function createLockStore(engine: Engine, db: () => Kysely<Tables>): LockStore {
  // Also on PostgreSQL: a second run in the same process never even takes a connection.
  const held = new Set<string>();

  async function pgTry<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    return db()
      .connection()
      .execute(async (conn) => {
        const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${sql.lit(JOB_LOCK_CLASS)}, hashtext(${name})) as ok`.execute(conn);
        if (!rows[0]?.ok) return { acquired: false } as const;
        try {
          return { acquired: true, value: await fn() } as const;
        } finally {
          // If this fails the connection is broken, and a broken session's locks are gone with it.
          await sql`select pg_advisory_unlock(${sql.lit(JOB_LOCK_CLASS)}, hashtext(${name}))`.execute(conn).catch((err) => {
            getLogger().error({ err }, `vethwatch: could not release lock ${name}`);
          });
        }
      });
  }

  return {
    async tryWithLock(name, fn) {
      if (held.has(name)) return { acquired: false };
      held.add(name);
      try {
        if (engine === 'postgres') return await pgTry(name, fn);
        return { acquired: true, value: await fn() };
      } finally {
        held.delete(name);
      }
    },
  };
}
