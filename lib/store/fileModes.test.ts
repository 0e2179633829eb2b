// The SQLite store's files are private even under a permissive umask: directories it creates 0700, the database
// and its -wal and -shm 0600. Without the explicit modes, umask 000 would leave them 0755/0644 (world-readable).
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from './store';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('SQLite file modes under umask 000', () => {
  let dir: string;
  let previousUmask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vethwatch-modes-'));
    chmodSync(dir, 0o755);
    previousUmask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data directories 0700 and the database, its WAL and SHM 0600', async () => {
    const file = join(dir, 'data', 'nested', 'vethwatch.db');
    const store = await createStore({ engine: 'sqlite', file });
    try {
      // Migrations have written, so WAL and SHM exist while the store is open.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(existsSync(f), f).toBe(true);
      expect(mode(join(dir, 'data')).toString(8)).toBe('700');
      expect(mode(join(dir, 'data', 'nested')).toString(8)).toBe('700');
      expect(mode(file).toString(8)).toBe('600');
      expect(mode(`${file}-wal`).toString(8)).toBe('600');
      expect(mode(`${file}-shm`).toString(8)).toBe('600');
    } finally {
      await store.close();
    }
    // A directory that already existed keeps its owner's mode.
    expect(mode(dir).toString(8)).toBe('755');
  });

  it('reopening keeps the files private', async () => {
    const file = join(dir, 'vethwatch.db');
    await (await createStore({ engine: 'sqlite', file })).close();
    const store = await createStore({ engine: 'sqlite', file });
    try {
      expect(mode(file).toString(8)).toBe('600');
      expect(mode(`${file}-wal`).toString(8)).toBe('600');
      expect(mode(`${file}-shm`).toString(8)).toBe('600');
    } finally {
      await store.close();
    }
  });
});
