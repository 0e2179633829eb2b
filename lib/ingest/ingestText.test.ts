// The HTTP path, ingestReportText, on both engines: a body that repeats the stored state is acknowledged from its
// text without JSON.parse; everything else, including bodies made to look like a repeat, is parsed, validated and
// refused or applied as usual, and refused bodies change nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { BadJsonError, ValidationError } from '@/lib/http/errors';
import { buildReport, buildVeth, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ingestReportText } from './ingestReport';

describe.each(testEngines)('ingestReportText on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.cleanup();
  });
  const send = (body: string | Report) => ingestReportText(t.store, typeof body === 'string' ? body : JSON.stringify(body), { bus });

  it('acknowledges a repeat without parsing it, and counts its dropped reports', async () => {
    const first = buildReport({ node: 'n1', veths: 5 });
    expect((await send(first)).outcome).toBe('changed');
    const repeat = nextReport(first);
    repeat.agent.droppedReports = 3;
    const body = JSON.stringify(repeat);
    const parse = vi.spyOn(JSON, 'parse');
    const result = await send(body);
    expect(result).toEqual({ reportId: repeat.reportId, node: 'n1', outcome: 'unchanged', events: [] });
    expect(parse.mock.calls.filter(([arg]) => arg === body)).toEqual([]);
    const node = (await t.store.listNodes())[0];
    expect(node).toMatchObject({ lastReportId: repeat.reportId, collectedAt: repeat.collectedAt, droppedReportsTotal: 3, reportsTotal: 2 });
  });

  it('applies a change, and recognises resends and stale reports, through the text path', async () => {
    const first = buildReport({ node: 'n1', veths: 3, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(first);
    const changed = nextReport(first);
    changed.veths[1] = buildVeth({ node: 'n1', index: 1, mismatch: true });
    const applied = await send(changed);
    expect(applied.outcome).toBe('changed');
    expect(applied.events.map((e) => e.type)).toEqual(['veth.mac_changed', 'arp.changed']);
    const before = await t.store.dumpTables();
    expect((await send(changed)).outcome).toBe('duplicate');
    expect((await send(first)).outcome).toBe('duplicate');
    const older = { ...changed, reportId: '6f1d1c1e-8d2e-4c55-9a4b-111111111111', collectedAt: '2025-12-31T23:00:00.000Z' };
    expect((await send(older)).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
  });

  it('keeps the 16 newest report ids through repeats, as the full path does, and answers resends of them', async () => {
    let report = buildReport({ node: 'n1', veths: 2, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(report);
    const ids = [report.reportId];
    for (let i = 0; i < 20; i++) {
      report = nextReport(report);
      expect((await send(report)).outcome).toBe('unchanged');
      ids.unshift(report.reportId);
    }
    const node = (await t.store.listNodes())[0];
    expect(node.recentReportIds).toEqual(ids.slice(0, 16));
    expect(node).toMatchObject({ reportsTotal: 21, lastReportId: report.reportId, collectedAt: report.collectedAt });
    // A resend of a remembered id is a duplicate; of a forgotten one, not newer than the state: out-of-order.
    const before = await t.store.dumpTables();
    expect((await send(report)).outcome).toBe('duplicate');
    expect((await send({ ...report, reportId: ids[15] })).outcome).toBe('duplicate');
    expect((await send({ ...report, reportId: ids[16] })).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
  });

  it('compares report times as instants: the same instant in another offset is not newer', async () => {
    const first = buildReport({ node: 'n1', veths: 2, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(first);
    const before = await t.store.dumpTables();
    const sameInstant = { ...nextReport(first), collectedAt: '2026-01-01T05:30:00.000+05:30' };
    expect((await send(sameInstant)).outcome).toBe('out-of-order');
    const earlier = { ...nextReport(first), collectedAt: '2026-01-01T05:29:59.999+05:30' };
    expect((await send(earlier)).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
    const later = { ...nextReport(first), collectedAt: '2025-12-31T19:00:00.001-05:00' };
    expect((await send(later)).outcome).toBe('unchanged');
  });

  it('a report time past year 9999 in UTC is ordered by its instant, not its text', async () => {
    const first = buildReport({ node: 'n1', veths: 2, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(first);
    // 9999-12-31T23:59:59-01:00 is 10000-01-01T00:59:59Z, which JavaScript writes +010000-01-01T00:59:59.000Z.
    const far = { ...nextReport(first), collectedAt: '9999-12-31T23:59:59.000-01:00' };
    // Received then too: a report further ahead of the server clock than the allowed skew is refused (clockSkew.ts).
    const receivedAt = new Date(Date.parse('9999-12-31T23:59:59.000-01:00'));
    expect((await ingestReportText(t.store, JSON.stringify(far), { bus, receivedAt })).outcome).toBe('unchanged');
    expect((await t.store.listNodes())[0].collectedAt).toBe('+010000-01-01T00:59:59.000Z');
    const before = await t.store.dumpTables();
    expect((await send(nextReport(first))).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
  });

  describe('refused bodies change nothing', () => {
    let stored: Report;
    let before: Record<string, unknown[]>;
    beforeEach(async () => {
      stored = buildReport({ node: 'n1', veths: 3 });
      await send(stored);
      before = await t.store.dumpTables();
    });
    const repeatText = () => JSON.stringify(nextReport(stored));

    it.each([
      ['a repeat with trailing garbage', (s: string) => `${s} trailing`],
      ['a truncated repeat', (s: string) => s.slice(0, -2)],
      ['a repeat with a raw control character in a string', (s: string) => s.replace('Debian', 'Deb\u0001ian')],
    ])('%s: 400', async (_what, mutate) => {
      await expect(send(mutate(repeatText()))).rejects.toBeInstanceOf(BadJsonError);
      expect(await t.store.dumpTables()).toEqual(before);
    });

    it.each([
      ['a collectedAt that is not a time', (s: string) => s.replace(/"collectedAt":"[^"]*"/, '"collectedAt":"soon"')],
      ['a reportId that is not a UUID', (s: string) => s.replace(/"reportId":"[^"]*"/, '"reportId":"r-1"')],
      ['a node name with a space', (s: string) => s.replace(/"node":"[^"]*"/, '"node":"n 1"')],
      ['a wrong version', (s: string) => s.replace('"version":1', '"version":3')],
      ['a decoy reportId ahead of a bad real one', (s: string) => `{"x":{"reportId":"${stored.reportId}"},${s.slice(1).replace(/"reportId":"[^"]*"/, '"reportId":"nope"')}`],
    ])('%s: 422', async (_what, mutate) => {
      await expect(send(mutate(repeatText()))).rejects.toBeInstanceOf(ValidationError);
      expect(await t.store.dumpTables()).toEqual(before);
    });
  });
});
