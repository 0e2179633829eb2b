// Named job locks: on PostgreSQL a real advisory lock that a second pool (another replica) cannot take while it
// is held, released after the job (also when it throws); on SQLite a guard against a second run in-process.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_LOCK_CLASS } from './locks';
import { createStore, type Store } from './store';
import { testEngines, type TestStore } from './testing';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe.each(testEngines)('tryWithLock on $name', (engine) => {
  let t: TestStore;
  let other: Store;
  beforeEach(async () => {
    t = await engine.open();
    // A second store on the same database: another replica's connection pool (SQLite: the same process).
    other = engine.name === 'postgres' ? await createStore(t.config) : t.store;
  });
  afterEach(async () => {
    if (other !== t.store) await other.close();
    await t.cleanup();
  });

  it('runs the job and returns its value; a second taker meanwhile gets acquired: false at once', async () => {
    const held = gate();
    const entered = gate();
    const first = t.store.locks.tryWithLock('job-a', async () => {
      entered.open();
      await held.promise;
      return 'done';
    });
    await entered.promise;
    expect(await other.locks.tryWithLock('job-a', async () => 'second')).toEqual({ acquired: false });
    // A different name is a different lock.
    expect(await other.locks.tryWithLock('job-b', async () => 'b')).toEqual({ acquired: true, value: 'b' });
    held.open();
    expect(await first).toEqual({ acquired: true, value: 'done' });
    expect(await other.locks.tryWithLock('job-a', async () => 'after')).toEqual({ acquired: true, value: 'after' });
  });

  it('releases the lock when the job throws', async () => {
    await expect(t.store.locks.tryWithLock('job-c', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await other.locks.tryWithLock('job-c', async () => 1)).toEqual({ acquired: true, value: 1 });
  });
});

describe('tryWithLock on postgres', () => {
  const engine = testEngines.find((e) => e.name === 'postgres')!;
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('is visible in pg_locks while held and gone after', async () => {
    const client = new pg.Client({ connectionString: (t.config as { url: string }).url });
    await client.connect();
    const count = async () =>
      Number((await client.query(`select count(*) as n from pg_locks where locktype = 'advisory' and classid = $1::bigint::oid and granted`, [JOB_LOCK_CLASS])).rows[0].n);
    try {
      const held = gate();
      const entered = gate();
      const job = t.store.locks.tryWithLock('job-d', async () => {
        entered.open();
        await held.promise;
      });
      await entered.promise;
      expect(await count()).toBe(1);
      held.open();
      await job;
      expect(await count()).toBe(0);
    } finally {
      await client.end();
    }
  });
});
