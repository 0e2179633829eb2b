// Verification from the node's next report: only a report made after the remediation finished counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { testEngines, type TestStore } from '../store/testing';
import { judgeReport, verifyPending } from './verify';

const bus = createEventBus();

describe.each(testEngines)('verification on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  async function succeededAt(node: string, finished: Date): Promise<string> {
    const state = (await t.store.remediations.nodeState(node))!;
    const plan = { version: 1, id: 'aaaaaaaaaaaaaaaa', node, reportId: state.reportId, createdAt: finished.toISOString(), newVeth: { linkFile: null, dropIns: [], macAddressPolicy: null, macAddress: null, udevRewritesMac: false }, dropIn: { path: '/etc/x', content: '', action: 'write', reason: '' }, reload: { run: false, reason: '' }, repairs: [], leaveAlone: [], warnings: [], advice: [] } as const;
    await t.store.remediations.insertPlanned({ node, planId: plan.id, reportId: state.reportId, stateHash: state.stateHash, executor: 'local', requestedBy: 'a', via: 'token', createdAt: new Date(0).toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), plan: { ...plan, dropIn: { ...plan.dropIn }, reload: { ...plan.reload }, newVeth: { ...plan.newVeth, dropIns: [] }, repairs: [], leaveAlone: [], warnings: [], advice: [] } });
    const rec = await t.store.remediations.activate({ node, planId: plan.id, requestedBy: 'a', via: 'token', now: new Date().toISOString() });
    await t.store.remediations.update(rec.id, { status: 'succeeded', finishedAt: finished.toISOString() });
    return rec.id;
  }

  it('ignores a report collected before the run finished, then verifies on the next one', async () => {
    const start = Date.now();
    await ingestReport(t.store, buildReport({ node: 'n', mismatched: 1, collectedAt: new Date(start - 60_000) }), { bus, receivedAt: new Date(start - 60_000) });
    const finished = new Date(start - 10_000);
    const id = await succeededAt('n', finished);
    expect(await verifyPending(t.store)).toEqual([]);
    // Delivered late: collected while the agent was still working, received afterwards. Not evidence either way.
    await ingestReport(t.store, buildReport({ node: 'n', mismatched: 1, collectedAt: new Date(start - 20_000) }), { bus, receivedAt: new Date(start - 5_000) });
    expect(await verifyPending(t.store)).toEqual([]);
    expect((await t.store.remediations.get(id))!.status).toBe('succeeded');

    await ingestReport(t.store, buildReport({ node: 'n', policy: 'none', collectedAt: new Date(start - 1_000) }), { bus, receivedAt: new Date(start) });
    const [done] = await verifyPending(t.store);
    expect(done).toMatchObject({ id, status: 'verified', verification: { nextReport: { verified: true } } });
    const audit = (await t.store.remediations.listAudit()).entries;
    expect(audit[0]).toMatchObject({ action: 'verified', remediationId: id, actor: 'system' });
  });

  it('marks a verified remediation regressed when the node breaks again, once, at the first report that shows it', async () => {
    const start = Date.now();
    await ingestReport(t.store, buildReport({ node: 'n', mismatched: 1, collectedAt: new Date(start - 60_000) }), { bus, receivedAt: new Date(start - 60_000) });
    const id = await succeededAt('n', new Date(start - 50_000));
    await ingestReport(t.store, buildReport({ node: 'n', policy: 'none', collectedAt: new Date(start - 40_000) }), { bus, receivedAt: new Date(start - 40_000) });
    await verifyPending(t.store, 'n');
    expect(await t.store.remediations.get(id)).toMatchObject({ status: 'verified', regression: null });
    // Still healthy: nothing regressed.
    await ingestReport(t.store, buildReport({ node: 'n', policy: 'none', veths: 3, collectedAt: new Date(start - 30_000) }), { bus, receivedAt: new Date(start - 30_000) });
    await verifyPending(t.store, 'n');
    expect((await t.store.remediations.get(id))!.regression).toBeNull();
    // The drop-in is removed: new veths are rewritten again.
    const broken = new Date(start - 20_000);
    await ingestReport(t.store, buildReport({ node: 'n', policy: 'persistent', collectedAt: broken }), { bus, receivedAt: broken });
    await verifyPending(t.store, 'n');
    const rec = (await t.store.remediations.get(id))!;
    expect(rec.status).toBe('verified');
    expect(rec.regression).toEqual({ at: broken.toISOString(), reason: expect.stringMatching(/udev still rewrites new veths \(MACAddressPolicy=persistent from /) });
    await ingestReport(t.store, buildReport({ node: 'n', policy: 'persistent', mismatched: 1, collectedAt: new Date(start - 10_000) }), { bus, receivedAt: new Date(start - 10_000) });
    await verifyPending(t.store, 'n');
    expect((await t.store.remediations.get(id))!.regression?.at).toBe(broken.toISOString());
  });

  it('judges what a report shows', () => {
    expect(judgeReport(buildReport({ policy: 'none' })).verified).toBe(true);
    const bad = judgeReport(buildReport({ policy: 'persistent' }));
    expect(bad.verified).toBe(false);
    expect(bad.reason).toMatch(/udev still rewrites new veths/);
    expect(judgeReport(buildReport({ policy: 'none', veths: 3, mismatched: 1 })).reason).toMatch(/1 veth\(s\) still mismatch/);
  });
});
