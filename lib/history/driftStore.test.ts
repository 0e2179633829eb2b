// The 3 a.m. page, over real stores (both engines) fed by real ingest: vethwatch's remediation writes its drop-in
// (attributed to that remediation, not drift), udev is upgraded, then someone removes the drop-in. The removal is
// named, with its diff, and the upgrade of a package that owns no changed file is not blamed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT, DROP_IN_RELPATH } from '@/lib/remediation/dropIn';
import type { Plan } from '@/lib/report/remediation';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildNewVethVerdict, buildReport, DEFAULT_LINK_PATH, nextReport } from '@/lib/report/fixtures';
import type { LinkFileInfo, PackageEvent, Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { createHash } from 'node:crypto';
import { linkFileHistoryResponse } from './http';
import type { LinkFileHistoryResponse } from './types';

const DROP_IN = `/${DROP_IN_RELPATH}`;
const bus = createEventBus();

function withDropIn(r: Report): Report {
  const file: LinkFileInfo = {
    path: DROP_IN,
    kind: 'dropin',
    dropInFor: '99-default.link',
    masked: false,
    maskedBy: null,
    size: Buffer.byteLength(DROP_IN_CONTENT),
    mtime: r.collectedAt,
    sha256: createHash('sha256').update(DROP_IN_CONTENT).digest('hex'),
    package: null,
    differsFromPackage: null,
    macAddressPolicy: 'none',
    macAddress: null,
    content: DROP_IN_CONTENT,
  };
  r.linkPolicy.files = [r.linkPolicy.files[0], file];
  r.linkPolicy.newVeth = { ...buildNewVethVerdict('none'), dropIns: [DROP_IN] };
  return r;
}

describe.each(testEngines)('drift attribution on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => t.cleanup());

  it('names the remediation that wrote the drop-in, then the removed drop-in, never the unrelated upgrade', async () => {
    const r1 = buildReport({ node: 'n1', veths: 1, policy: 'persistent', collectedAt: '2026-12-03T02:00:00.000Z' });
    await ingestReport(t.store, r1, { bus, receivedAt: new Date('2026-12-03T02:00:01.000Z') });

    // vethwatch remediation writes the drop-in at 02:05 (server clock).
    const state = (await t.store.remediations.nodeState('n1'))!;
    const plan: Plan = {
      version: 1,
      id: '0123456789abcdef',
      node: 'n1',
      reportId: r1.reportId,
      createdAt: '2026-12-03T02:04:00.000Z',
      newVeth: r1.linkPolicy.newVeth,
      dropIn: { path: `/host${DROP_IN}`, content: DROP_IN_CONTENT, action: 'write', reason: 'test' },
      reload: { run: true, reason: 'test' },
      repairs: [],
      leaveAlone: [],
      warnings: [],
      advice: [],
    };
    const planned = await t.store.remediations.insertPlanned({
      node: 'n1',
      planId: plan.id,
      reportId: state.reportId,
      stateHash: state.stateHash,
      executor: 'kubernetes',
      requestedBy: 'alice',
      via: 'proxy',
      createdAt: '2026-12-03T02:04:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
      plan,
    });
    await t.store.remediations.activate({ node: 'n1', planId: plan.id, requestedBy: 'alice', via: 'proxy', now: '2026-12-03T02:04:30.000Z' });
    await t.store.remediations.update(planned.id, { status: 'succeeded', startedAt: '2026-12-03T02:05:00.000Z', finishedAt: '2026-12-03T02:05:02.000Z' });

    const r2 = withDropIn(nextReport(r1, 360));
    await ingestReport(t.store, r2, { bus, receivedAt: new Date(Date.parse(r2.collectedAt) + 1000) });

    // udev is upgraded at 02:38 (it owns 99-default.link, which does not change); the drop-in is removed by 03:00.
    const upgrade: PackageEvent = {
      at: '2026-12-03T02:38:00.000Z',
      action: 'upgrade',
      package: 'udev',
      arch: 'amd64',
      fromVersion: '252.39-1~deb12u1',
      toVersion: '252.40-1~deb12u1',
      source: 'dpkg.log',
    };
    const r3 = nextReport(r2, 3240);
    r3.linkPolicy.files = [r1.linkPolicy.files[0]];
    r3.linkPolicy.newVeth = r1.linkPolicy.newVeth;
    r3.linkPolicy.packageEvents = [...r3.linkPolicy.packageEvents, upgrade];
    await ingestReport(t.store, r3, { bus, receivedAt: new Date(Date.parse(r3.collectedAt) + 1000) });

    const res = await linkFileHistoryResponse(t.store, 'n1', new URL('http://x/x?from=2026-12-03T00:00:00.000Z&to=2026-12-03T04:00:00.000Z'), new Date('2026-12-03T03:30:00.000Z'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as LinkFileHistoryResponse;
    const [written, removed] = body.drift;
    expect(body.drift).toHaveLength(2);
    expect(written).toMatchObject({ kind: 'remediation', path: DROP_IN, from: 'persistent', to: 'none', attributedTo: null });
    expect(written.remediation).toEqual({ id: planned.id, requestedBy: 'alice', at: '2026-12-03T02:05:02.000Z', status: 'succeeded' });
    expect(removed).toMatchObject({ kind: 'policy-changed', path: DROP_IN, from: 'none', to: 'persistent', attributedTo: null, remediation: null });
    expect(removed.message).toBe(`policy for new veths went from none to persistent: \`${DROP_IN}\` was removed`);
    expect(removed.files.map((f) => [f.path, f.change])).toEqual([[DROP_IN, 'removed']]);
    expect(removed.files[0].diff).toContain('-MACAddressPolicy=none\n');
    expect(body.drift.some((d) => d.path === DEFAULT_LINK_PATH)).toBe(false);
  });
});
