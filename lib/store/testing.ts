import 'server-only';
// Test helpers: a fresh, migrated store on each engine. Every open() gets its own SQLite file or its own
// PostgreSQL database, so test files (and tests) can run in parallel without seeing each other's rows.
// PostgreSQL comes from VETHWATCH_TEST_PG_URL, which `npm test` (scripts/test-all.sh) sets; without it the
// PostgreSQL cases fail on purpose instead of silently testing one engine.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine, StoreConfig } from './config';
import { createStore, type Store } from './store';

export interface TestStore {
  store: Store;
  config: StoreConfig;
  cleanup(): Promise<void>;
}

export interface TestEngine {
  name: Engine;
  open(): Promise<TestStore>;
}

export const PG_URL_ENV = 'VETHWATCH_TEST_PG_URL';

export function testPgUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url) {
    throw new Error(
      `${PG_URL_ENV} is not set, so the PostgreSQL half of the store tests cannot run. Run them with \`npm test\`, ` +
        `or start a throwaway cluster: d=$(mktemp -d); chmod 755 $d; export ${PG_URL_ENV}=$(bash scripts/pg-throwaway.sh start $d/pg)`,
    );
  }
  return url;
}

/** A new empty database on the test cluster; drop() removes it even with connections still open. */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = testPgUrl();
  const name = `vw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function sqliteTempFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-store-'));
  return { file: join(dir, 'vethwatch.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const sqliteEngine: TestEngine = {
  name: 'sqlite',
  async open() {
    const tmp = sqliteTempFile();
    const config: StoreConfig = { engine: 'sqlite', file: tmp.file };
    const store = await createStore(config);
    return {
      store,
      config,
      async cleanup() {
        await store.close();
        tmp.remove();
      },
    };
  },
};

const postgresEngine: TestEngine = {
  name: 'postgres',
  async open() {
    const db = await createPgDatabase();
    const config: StoreConfig = { engine: 'postgres', url: db.url, poolSize: 4 };
    const store = await createStore(config);
    return {
      store,
      config,
      async cleanup() {
        await store.close();
        await db.drop();
      },
    };
  },
};

/** For describe.each: every engine the store supports. */
export const testEngines: TestEngine[] = [sqliteEngine, postgresEngine];
