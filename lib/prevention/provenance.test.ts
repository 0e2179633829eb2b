// Provisioned or remediated later, from real history on both engines; the node read model carries it with the
// newest `verify --watch` run, which the store keeps bounded and stores once per verificationId.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getNodeFrom } from '@/lib/nodes/read';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { provenanceOf } from './provenance';
import { readFleetProvenance, readNodePrevention } from './provenanceRead';
import { PREVENTION_PATH } from './snippets';
import { verificationDoc } from './testSupport/docs';
import { verificationResult, verificationSchema, VERIFICATIONS_KEPT } from './verification';

/** A report whose new-veth verdict is policy none through vethwatch's own drop-in. */
function protectedReport(node: string, collectedAt: string): Report {
  const r = buildReport({ node, policy: 'none', collectedAt });
  const files = r.linkPolicy.files.map((f) => (f.kind === 'dropin' ? { ...f, path: PREVENTION_PATH } : f));
  return { ...r, linkPolicy: { ...r.linkPolicy, files, newVeth: { ...r.linkPolicy.newVeth, dropIns: [PREVENTION_PATH] } } };
}

describe('provenance (pure)', () => {
  const verdict = (dropIns: string[]) => ({ newVeth: { linkFile: null, dropIns, macAddressPolicy: null, macAddress: null, udevRewritesMac: false } });
  it('judges the first report, then a later appearance', () => {
    expect(provenanceOf({ firstReport: { at: 't0', data: verdict([PREVENTION_PATH]) }, laterAppearance: null })).toEqual({ provenance: 'provisioned', since: 't0' });
    expect(provenanceOf({ firstReport: { at: 't0', data: verdict(['/etc/systemd/network/99-default.link.d/50-other.conf']) }, laterAppearance: { at: 't1' } })).toEqual({ provenance: 'remediated', since: 't1' });
    expect(provenanceOf({ firstReport: { at: 't0', data: verdict([]) }, laterAppearance: null })).toEqual({ provenance: 'unprotected', since: null });
    expect(provenanceOf({ firstReport: null, laterAppearance: null }).provenance).toBe('unknown');
  });
  it('refuses a verification whose result does not follow from its probes', () => {
    const doc = verificationDoc('n', [true, false]);
    expect(doc.result).toBe('rewritten');
    expect(verificationSchema.safeParse({ ...doc, result: 'kept' }).success).toBe(false);
    expect(verificationResult({ udevd: false, probes: doc.probes.slice(0, 1) })).toBe('inconclusive');
  });
});

describe.each(testEngines)('prevention read model on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const send = (r: Report) => ingestReport(t.store, r, { receivedAt: new Date(r.collectedAt), maxClockSkewSeconds: Infinity });

  it('tells nodes protected from their first report from nodes remediated later and unprotected ones', async () => {
    await send(protectedReport('born-safe', '2026-01-01T00:00:00.000Z'));
    await send(buildReport({ node: 'fixed-later', collectedAt: '2026-01-01T00:00:00.000Z' }));
    await send(protectedReport('fixed-later', '2026-01-01T00:05:00.000Z'));
    await send(buildReport({ node: 'exposed', collectedAt: '2026-01-01T00:00:00.000Z' }));
    // Someone else's drop-in with the same effect is not the provisioning snippet.
    await send(buildReport({ node: 'other-drop-in', policy: 'none', collectedAt: '2026-01-01T00:00:00.000Z' }));

    const fleet = await readFleetProvenance(t.store);
    expect(Object.fromEntries(fleet)).toEqual({
      'born-safe': { provenance: 'provisioned', since: '2026-01-01T00:00:00.000Z' },
      'fixed-later': { provenance: 'remediated', since: '2026-01-01T00:05:00.000Z' },
      exposed: { provenance: 'unprotected', since: null },
      'other-drop-in': { provenance: 'unprotected', since: null },
    });

    const detail = await getNodeFrom(t.store, 'fixed-later', new Date('2026-01-01T00:05:10.000Z'), null);
    expect(detail?.prevention).toEqual({ provenance: 'remediated', since: '2026-01-01T00:05:00.000Z', lastVerification: null });
  });

  it('keeps the newest verification per node, stores a resend once, and bounds what it keeps', async () => {
    await send(protectedReport('v', '2026-01-01T00:00:00.000Z'));
    const first = verificationDoc('v', [true, true, false]);
    expect(await t.store.prevention.recordVerification(first, '2026-01-01T01:00:00.000Z')).toBe(true);
    expect(await t.store.prevention.recordVerification(first, '2026-01-01T01:00:05.000Z')).toBe(false);
    const latest = verificationDoc('v', [true, true, true]);
    await t.store.prevention.recordVerification(latest, '2026-01-01T02:00:00.000Z');
    expect((await readNodePrevention(t.store, 'v')).lastVerification).toEqual({
      verificationId: latest.verificationId,
      startedAt: latest.startedAt,
      finishedAt: latest.finishedAt,
      receivedAt: '2026-01-01T02:00:00.000Z',
      everySeconds: 1,
      udevd: true,
      probes: 3,
      kept: 3,
      rewritten: 0,
      result: 'kept',
    });
    for (let i = 0; i < VERIFICATIONS_KEPT + 5; i++) {
      await t.store.prevention.recordVerification(verificationDoc('v', [true]), `2026-01-02T00:00:${String(i).padStart(2, '0')}.000Z`);
    }
    const rows = (await t.store.dumpTables()).prevention_verifications as Array<{ node: string }>;
    expect(rows).toHaveLength(VERIFICATIONS_KEPT);
  });
});
