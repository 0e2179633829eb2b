// Engine set-up, versioned migrations and the store's lifecycle, on both engines.
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import { DEFAULT_SQLITE_FILE, storeConfigFromEnv, StoreConfigError, type StoreConfig } from './config';
import { openEngine } from './engines';
import { closeStore, getStore } from './index';
import { migrateToLatest, MigrationError } from './migrate';
import { migrationProvider } from './migrations';
import { createStore, StoreClosedError } from './store';
import { TABLE_NAMES } from './tables';
import { createPgDatabase, sqliteTempFile, testEngines } from './testing';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freshConfig(engine: 'sqlite' | 'postgres'): Promise<StoreConfig> {
  if (engine === 'sqlite') {
    const tmp = sqliteTempFile();
    cleanups.push(tmp.remove);
    return { engine, file: tmp.file };
  }
  const db = await createPgDatabase();
  cleanups.push(db.drop);
  return { engine, url: db.url, poolSize: 2 };
}

describe.each(testEngines.map((e) => e.name))('store on %s', (engine) => {
  it('runs each migration once and records it by name; data survives a restart', async () => {
    const config = await freshConfig(engine);
    const store = await createStore(config);
    await ingestReport(store, buildReport({ node: 'keep-me', veths: 2 }), { bus: createEventBus() });
    await store.close();

    const { db } = openEngine(config);
    try {
      expect(await migrateToLatest(db, engine)).toEqual([]);
      const applied = await db.selectFrom('kysely_migration' as never).select(sql<string>`name`.as('name')).execute();
      const all = Object.keys(await migrationProvider(engine).getMigrations()).sort();
      expect(all[0]).toBe('0001_initial');
      expect(applied.map((r) => r.name)).toEqual(all);
    } finally {
      await db.destroy();
    }

    const reopened = await createStore(config);
    try {
      expect((await reopened.listNodes()).map((n) => n.name)).toEqual(['keep-me']);
    } finally {
      await reopened.close();
    }
  });

  it('a failing migration is reported as MigrationError and leaves no half-applied schema', async () => {
    const config = await freshConfig(engine);
    const { db } = openEngine(config);
    // A table in the way: the first migration's later statement (node_reports) cannot be created.
    await sql`create table node_reports (x integer)`.execute(db);
    await db.destroy();

    const err = await createStore(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migration).toBe('0001_initial');

    const { db: check } = openEngine(config);
    try {
      const tables = (await check.introspection.getTables()).map((t) => t.name);
      expect(tables).not.toContain('nodes');
      expect(tables).not.toContain('events');
    } finally {
      await check.destroy();
    }
  });

  it('names every table the migrations create (lib/store/tables.ts), and dumpTables shows them all', async () => {
    const config = await freshConfig(engine);
    const store = await createStore(config);
    try {
      const { db } = openEngine(config);
      try {
        const created = (await db.introspection.getTables()).map((t) => t.name).sort();
        expect(created).toEqual([...TABLE_NAMES].sort());
      } finally {
        await db.destroy();
      }
      await store.remediations.appendAudit({ at: '2026-12-01T00:00:00.000Z', actor: 'a', via: 'system', action: 'pause' });
      const dump = await store.dumpTables();
      expect(Object.keys(dump)).toEqual([...TABLE_NAMES]);
      expect(dump.audit).toEqual([expect.objectContaining({ id: expect.any(Number), actor: 'a', action: 'pause' })]);
      expect(dump.remediation_settings).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('refuses to work after close', async () => {
    const store = await createStore(await freshConfig(engine));
    await store.close();
    await expect(store.listNodes()).rejects.toBeInstanceOf(StoreClosedError);
    await store.close(); // closing twice is harmless
  });
});

describe('SQLite engine settings', () => {
  it('uses WAL, NORMAL sync and a busy timeout', async () => {
    const config = await freshConfig('sqlite');
    const store = await createStore(config);
    await store.close();
    const raw = new Database((config as { file: string }).file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    const { db } = openEngine(config);
    try {
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(sync.rows[0].synchronous).toBe(1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(busy.rows[0].timeout).toBe(5000);
    } finally {
      await db.destroy();
    }
  });
});

describe('storeConfigFromEnv', () => {
  it('defaults to SQLite at ./data/vethwatch.db, resolved', () => {
    const config = storeConfigFromEnv({});
    expect(config).toEqual({ engine: 'sqlite', file: new URL(DEFAULT_SQLITE_FILE, `file://${process.cwd()}/`).pathname });
  });
  it('takes the SQLite file from VETHWATCH_DB', () => {
    expect(storeConfigFromEnv({ VETHWATCH_DB: '/var/lib/vw/x.db' })).toEqual({ engine: 'sqlite', file: '/var/lib/vw/x.db' });
  });
  it('picks PostgreSQL for a postgres:// or postgresql:// DATABASE_URL', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://u@h/db', VETHWATCH_DB: '/x.db' })).toEqual({ engine: 'postgres', url: 'postgres://u@h/db' });
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgresql://u@h/db', VETHWATCH_PG_POOL_SIZE: '20' })).toEqual({
      engine: 'postgres',
      url: 'postgresql://u@h/db',
      poolSize: 20,
    });
  });
  it('refuses any other DATABASE_URL instead of quietly using SQLite', () => {
    expect(() => storeConfigFromEnv({ DATABASE_URL: 'mysql://u@h/db' })).toThrow(StoreConfigError);
  });
});

describe('getStore', () => {
  it('opens one store per process from the environment and shares it', async () => {
    const tmp = sqliteTempFile();
    cleanups.push(tmp.remove);
    const saved = { db: process.env.VETHWATCH_DB, url: process.env.DATABASE_URL };
    process.env.VETHWATCH_DB = tmp.file;
    delete process.env.DATABASE_URL;
    cleanups.push(() => {
      if (saved.db === undefined) delete process.env.VETHWATCH_DB;
      else process.env.VETHWATCH_DB = saved.db;
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    });
    try {
      const a = getStore();
      expect(getStore()).toBe(a);
      const store = await a;
      expect(store.engine).toBe('sqlite');
      expect(await store.listNodes()).toEqual([]);
    } finally {
      await closeStore();
    }
    const raw = new Database(tmp.file, { readonly: true });
    try {
      const names = raw.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as Array<{ name: string }>;
      expect(names.map((n) => n.name)).toEqual(expect.arrayContaining(['events', 'node_reports', 'nodes']));
    } finally {
      raw.close();
    }
  });
});

