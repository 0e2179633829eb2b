import 'server-only';
// Kysely over better-sqlite3 or a pg Pool: the one query layer for both engines.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type DialectAdapter,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import type { StoreConfig } from './config';
import type { Tables } from './tables';
import { getLogger } from '../log/logger';

/**
 * Kysely's SQLite driver prepares every statement it runs. Parsing SQL costs more than running the hot ingest
 * queries, so keep prepared statements by SQL text (bounded: multi-row inserts make many distinct texts).
 * Safe because the driver runs one statement at a time on its single connection.
 */
function withStatementCache(db: Database.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql) as unknown as SqliteStatement;
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/**
 * SQLite does roll back DDL, but Kysely's adapter says it does not, so its Migrator would leave a half-applied
 * migration behind on failure. Declaring it makes the Migrator run all pending migrations in one transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class VethwatchSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * The database holds every node's reports and the remediation audit log: private to the server's user whatever
 * the umask. The directories this creates are 0700 and a new database file 0600; SQLite gives its -wal and -shm
 * files the database file's mode. An existing file or directory keeps the mode its owner gave it.
 */
function createPrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function openSqlite(file: string): Database.Database {
  if (file !== ':memory:' && file !== '') createPrivate(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut can lose the last commits but never corrupts; fsync at checkpoints only.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  return db;
}

export interface EngineHandle {
  db: Kysely<Tables>;
  /** Present for PostgreSQL: the pool, for the future LISTEN/NOTIFY relay. */
  pool?: pg.Pool;
}

export function openEngine(config: StoreConfig): EngineHandle {
  if (config.engine === 'sqlite') {
    const raw = openSqlite(config.file);
    return { db: new Kysely<Tables>({ dialect: new VethwatchSqliteDialect({ database: withStatementCache(raw) }) }) };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would kill the process.
  pool.on('error', (err) => getLogger().error({ err: err.message }, 'vethwatch: idle PostgreSQL connection failed'));
  return { db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), pool };
}
