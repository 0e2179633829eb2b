import 'server-only';
// Which database the server uses, from the environment: PostgreSQL when DATABASE_URL is a postgres:// URL,
// otherwise a SQLite file (VETHWATCH_DB, default ./data/vethwatch.db).
import { resolve } from 'node:path';

export type Engine = 'sqlite' | 'postgres';

export type StoreConfig =
  | { engine: 'sqlite'; file: string }
  | { engine: 'postgres'; url: string; poolSize?: number };

export const DEFAULT_SQLITE_FILE = './data/vethwatch.db';

export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

export function storeConfigFromEnv(env: Record<string, string | undefined> = process.env): StoreConfig {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new StoreConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use SQLite)');
    }
    const poolSize = Number(env.VETHWATCH_PG_POOL_SIZE);
    return { engine: 'postgres', url, ...(Number.isInteger(poolSize) && poolSize > 0 ? { poolSize } : {}) };
  }
  return { engine: 'sqlite', file: resolve(/*turbopackIgnore: true*/ env.VETHWATCH_DB?.trim() || DEFAULT_SQLITE_FILE) };
}

/** For log lines: where the data lives, without a password. */
export function describeStoreConfig(config: StoreConfig): string {
  if (config.engine === 'sqlite') return `SQLite at ${config.file}`;
  try {
    const u = new URL(config.url);
    return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
