// The remediation guardrails as the database enforces them, on both engines: one active remediation per node
// (also across two store instances, i.e. two server replicas, racing), the fleet-wide cap, the pause switch, stale
// and expired plans, and the append-only audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { RemediationConflictError } from '../remediation/errors';
import { buildReport, nextReport } from '../report/fixtures';
import type { Report } from '../report/schema';
import { createStore, type Store } from './index';
import { testEngines, type TestStore } from './testing';
import type { Plan } from '../../agent/remediate/schema';

const bus = createEventBus();

function fakePlan(node: string, id: string): Plan {
  return {
    version: 1,
    id,
    node,
    reportId: 'r',
    createdAt: new Date().toISOString(),
    newVeth: { linkFile: null, dropIns: [], macAddressPolicy: 'persistent', macAddress: null, udevRewritesMac: true },
    dropIn: { path: '/etc/x.conf', content: '[Link]\n', action: 'write', reason: 'test' },
    reload: { run: false, reason: 'test' },
    repairs: [],
    leaveAlone: [],
    warnings: [],
    advice: [],
  };
}

async function seed(store: Store, node: string, mismatched = 1): Promise<Report> {
  const report = buildReport({ node, mismatched });
  await ingestReport(store, report, { bus });
  return report;
}

async function preview(store: Store, node: string, planId: string, opts: { expiresInMs?: number } = {}) {
  const state = await store.remediations.nodeState(node);
  if (!state) throw new Error('seed the node first');
  const now = Date.now();
  return store.remediations.insertPlanned({
    node,
    planId,
    reportId: state.reportId,
    stateHash: state.stateHash,
    executor: 'kubernetes',
    requestedBy: 'alice',
    via: 'proxy',
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (opts.expiresInMs ?? 600_000)).toISOString(),
    plan: fakePlan(node, planId),
  });
}

/**
 * A second store on the same database, as a second server replica has. SQLite only has one writer and better-sqlite3
 * waits for the lock synchronously, so two connections in ONE process would block each other's event loop: there
 * the race runs on one store (whose driver serialises transactions), which is how one SQLite server runs anyway.
 */
async function replicaOf(t: TestStore, engine: string): Promise<Store> {
  return engine === 'postgres' ? createStore(t.config) : t.store;
}

const activate = (store: Store, node: string, planId: string) =>
  store.remediations.activate({ node, planId, requestedBy: 'alice', via: 'proxy', now: new Date().toISOString() });

async function conflictCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RemediationConflictError) return err.code;
    throw err;
  }
  return 'no error';
}

describe.each(testEngines)('remediation guardrails on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('activates a preview: pending, holding the node, counted against the cap', async () => {
    await seed(t.store, 'n1');
    const p = await preview(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    expect(p.status).toBe('planned');
    const rec = await activate(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    expect(rec).toMatchObject({ id: p.id, status: 'pending', node: 'n1', requestedBy: 'alice', via: 'proxy' });
    expect(rec.appliedAt).not.toBeNull();
    expect((await t.store.remediations.listActive('n1')).map((r) => r.id)).toEqual([p.id]);
    expect((await t.store.remediations.getSettings()).active).toBe(1);
    // Finishing releases the slot.
    expect(await t.store.remediations.update(rec.id, { status: 'failed', error: 'x' }, ['pending', 'running'])).toBe(true);
    expect(await t.store.remediations.listActive('n1')).toEqual([]);
    expect((await t.store.remediations.getSettings()).active).toBe(0);
  });

  it('refuses a second active remediation on a node (409 active), even from another preview', async () => {
    await seed(t.store, 'n1');
    await preview(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    await preview(t.store, 'n1', 'bbbbbbbbbbbbbbbb');
    await activate(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    const err = await activate(t.store, 'n1', 'bbbbbbbbbbbbbbbb').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemediationConflictError);
    expect((err as RemediationConflictError).status).toBe(409);
    expect((err as RemediationConflictError).code).toBe('active');
  });

  it('lets exactly one of two concurrent activations win, on one store and across two (two replicas)', async () => {
    await seed(t.store, 'n1');
    await preview(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    await preview(t.store, 'n1', 'bbbbbbbbbbbbbbbb');
    const replica = await replicaOf(t, engine.name);
    try {
      const codes = await Promise.all([
        conflictCode(activate(t.store, 'n1', 'aaaaaaaaaaaaaaaa')),
        conflictCode(activate(replica, 'n1', 'bbbbbbbbbbbbbbbb')),
      ]);
      expect(codes.filter((c) => c === 'no error')).toHaveLength(1);
      expect(codes.filter((c) => c === 'active')).toHaveLength(1);
      expect(await t.store.remediations.listActive('n1')).toHaveLength(1);

      // The same preview applied twice at once: one wins, the other is told it was applied.
      await seed(t.store, 'n2');
      await preview(t.store, 'n2', 'cccccccccccccccc');
      const same = await Promise.all([conflictCode(activate(t.store, 'n2', 'cccccccccccccccc')), conflictCode(activate(replica, 'n2', 'cccccccccccccccc'))]);
      expect(same.sort()).toEqual(['already-applied', 'no error']);
    } finally {
      if (replica !== t.store) await replica.close();
    }
  });

  it('holds the fleet-wide cap, also under concurrent activations on different nodes', async () => {
    await t.store.remediations.updateSettings({ maxConcurrent: 2, now: new Date().toISOString() });
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
    for (const n of nodes) {
      await seed(t.store, n);
      await preview(t.store, n, 'aaaaaaaaaaaaaaaa');
    }
    const replica = await replicaOf(t, engine.name);
    try {
      const codes = await Promise.all(nodes.map((n, i) => conflictCode(activate(i % 2 ? replica : t.store, n, 'aaaaaaaaaaaaaaaa'))));
      expect(codes.filter((c) => c === 'no error')).toHaveLength(2);
      expect(codes.filter((c) => c === 'cap')).toHaveLength(3);
      expect((await t.store.remediations.getSettings()).active).toBe(2);
    } finally {
      if (replica !== t.store) await replica.close();
    }
  });

  it('blocks new remediations while paused, with the reason in the refusal', async () => {
    await seed(t.store, 'n1');
    await preview(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    const s = await t.store.remediations.updateSettings({ paused: true, pauseReason: 'change freeze', pausedBy: 'bob', now: new Date().toISOString() });
    expect(s).toMatchObject({ paused: true, pauseReason: 'change freeze', pausedBy: 'bob' });
    const err = (await activate(t.store, 'n1', 'aaaaaaaaaaaaaaaa').catch((e: unknown) => e)) as RemediationConflictError;
    expect(err.code).toBe('paused');
    expect(err.message).toContain('change freeze');
    expect(err.message).toContain('bob');
    await t.store.remediations.updateSettings({ paused: false, now: new Date().toISOString() });
    expect((await activate(t.store, 'n1', 'aaaaaaaaaaaaaaaa')).status).toBe('pending');
  });

  it('refuses unknown, expired and stale plans', async () => {
    const report = await seed(t.store, 'n1');
    expect(await conflictCode(activate(t.store, 'n1', 'dddddddddddddddd'))).toBe('stale-plan');

    await preview(t.store, 'n1', 'eeeeeeeeeeeeeeee', { expiresInMs: -1 });
    expect(await conflictCode(activate(t.store, 'n1', 'eeeeeeeeeeeeeeee'))).toBe('expired');

    // A later report with the same state keeps the preview valid ...
    await preview(t.store, 'n1', 'aaaaaaaaaaaaaaaa');
    const same = nextReport(report, 5);
    await ingestReport(t.store, same, { bus });
    // ... a changed state makes it stale.
    const changed = buildReport({ node: 'n1', mismatched: 2, collectedAt: new Date(Date.parse(same.collectedAt) + 5000) });
    await preview(t.store, 'n1', 'ffffffffffffffff');
    await ingestReport(t.store, changed, { bus });
    expect(await conflictCode(activate(t.store, 'n1', 'ffffffffffffffff'))).toBe('stale-plan');
    expect(await t.store.remediations.listActive()).toEqual([]);

    // expirePlanned marks old previews.
    expect(await t.store.remediations.expirePlanned(new Date(Date.now() + 3_600_000).toISOString())).toBeGreaterThanOrEqual(2);
  });

  it('pages the audit log newest first, filters by time, and refuses edits and early deletes', async () => {
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 5; i++) {
      await t.store.remediations.appendAudit({ at: new Date(base + i * 60_000).toISOString(), actor: 'alice', via: 'proxy', action: 'preview', node: `n${i}` });
    }
    const p1 = await t.store.remediations.listAudit({ limit: 2 });
    expect(p1.entries.map((e) => e.node)).toEqual(['n4', 'n3']);
    expect(p1.nextCursor).toBe(p1.entries[1].id);
    const p2 = await t.store.remediations.listAudit({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.entries.map((e) => e.node)).toEqual(['n2', 'n1']);
    const p3 = await t.store.remediations.listAudit({ limit: 2, cursor: p2.nextCursor! });
    expect(p3).toMatchObject({ nextCursor: null });
    expect(p3.entries.map((e) => e.node)).toEqual(['n0']);
    const ranged = await t.store.remediations.listAudit({ from: new Date(base + 60_000).toISOString(), to: new Date(base + 180_000).toISOString() });
    expect(ranged.entries.map((e) => e.node)).toEqual(['n2', 'n1']);

    const db = (t.store as unknown as { db: import('kysely').Kysely<import('./tables').Tables> }).db;
    await expect(db.updateTable('audit').set({ actor: 'mallory' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit').execute()).rejects.toThrow(/at least a year/);
    const old = await t.store.remediations.appendAudit({ at: '2020-01-01T00:00:00.000Z', actor: 'x', via: 'system', action: 'finished' });
    await db.deleteFrom('audit').where('id', '=', Number(old.id)).execute();
    expect((await t.store.remediations.listAudit()).entries).toHaveLength(5);
  });
});
