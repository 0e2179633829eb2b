import 'server-only';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Engine } from './config';
import { migrationProvider } from './migrations';

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the latest version; returns the names of the migrations it ran. */
export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(engine) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? null;
    const why = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`database migration ${failed ?? '(setup)'} failed: ${why}`, failed, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
