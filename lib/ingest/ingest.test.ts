// Accepting reports on both engines: what is stored, what a resend or an unchanged report costs, and that bad
// input leaves every table exactly as it was.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { BadJsonError, ValidationError } from '@/lib/http/errors';
import { flannelDevice } from '@/lib/fleet/fixtures';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { RECENT_REPORT_IDS } from '@/lib/store';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ingestReport } from './ingestReport';
import { parseJsonBody } from './validate';

describe.each(testEngines)('ingest on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const ingest = (input: unknown, receivedAt?: Date) => ingestReport(t.store, input, { bus, receivedAt });

  it('stores a first report: node row, latest report and the initial history', async () => {
    const report = buildReport({ node: 'ip-10-0-1-5', veths: 4, mismatched: 1, collectedAt: '2026-01-01T00:00:00.000Z' });
    const result = await ingest(report, new Date('2026-01-01T00:00:05.000Z'));
    expect(result.outcome).toBe('changed');

    const dump = await t.store.dumpTables();
    expect(dump.nodes).toHaveLength(1);
    expect(dump.nodes[0]).toMatchObject({
      name: 'ip-10-0-1-5',
      last_report_id: report.reportId,
      recent_report_ids: report.reportId,
      last_report_at: '2026-01-01T00:00:05.000Z',
      first_report_at: '2026-01-01T00:00:05.000Z',
      veth_count: 4,
      mismatch_count: 1,
      unknown_arp_count: 0,
      policy_mac: 'persistent',
      policy_rewrites: 1,
      reports_total: 1,
    });
    const stored = await t.store.getNode('ip-10-0-1-5');
    expect(stored?.report).toEqual(report);

    const types = result.events.map((e) => e.type);
    expect(types[0]).toBe('node.first_report');
    expect(types.filter((x) => x === 'veth.appeared')).toHaveLength(4);
    expect(types).toContain('policy.changed');
    expect(types).toContain('linkfile.appeared');
    expect(types).toContain('package.event');
    expect(result.events.map((e) => e.id)).toEqual([...result.events.map((e) => e.id)].sort((a, b) => a - b));
    expect(await t.store.listEvents()).toEqual(result.events);
  });

  it('a resend of the same report id is acknowledged as a duplicate and writes nothing', async () => {
    const report = buildReport({ veths: 3 });
    await ingest(report);
    const before = await t.store.dumpTables();
    const again = await ingest(structuredClone(report));
    expect(again.outcome).toBe('duplicate');
    expect(again.events).toEqual([]);
    expect(await t.store.dumpTables()).toEqual(before);
  });

  it('an unchanged report only moves the report time: no history, no report rewrite', async () => {
    const first = buildReport({ veths: 3, collectedAt: '2026-01-01T00:00:00.000Z' });
    await ingest(first, new Date('2026-01-01T00:00:01.000Z'));
    const before = await t.store.dumpTables();
    const second = nextReport(first);
    second.agent.droppedReports = 2;
    const result = await ingest(second, new Date('2026-01-01T00:00:31.000Z'));
    expect(result.outcome).toBe('unchanged');
    expect(result.events).toEqual([]);

    const after = await t.store.dumpTables();
    expect(after.events).toEqual(before.events);
    expect(after.node_reports).toEqual(before.node_reports);
    expect(after.nodes[0]).toEqual({
      ...(before.nodes[0] as object),
      last_report_at: '2026-01-01T00:00:31.000Z',
      collected_at: '2026-01-01T00:00:30.000Z',
      last_report_id: second.reportId,
      recent_report_ids: `${second.reportId} ${first.reportId}`,
      reports_total: 2,
      dropped_reports_total: 2,
    });
  });

  it('the same holds when the body text is hashed (the HTTP path)', async () => {
    const first = buildReport({ veths: 3 });
    const send = (r: Report) => ingestReport(t.store, JSON.parse(JSON.stringify(r)), { bus, bodyText: JSON.stringify(r) });
    expect((await send(first)).outcome).toBe('changed');
    const same = nextReport(first);
    expect((await send(same)).outcome).toBe('unchanged');
    const changed = nextReport(same);
    changed.veths[0].arpStatus = 'unknown';
    const result = await send(changed);
    expect(result.outcome).toBe('changed');
    expect(result.events.map((e) => e.type)).toEqual(['arp.changed']);
    expect((await send(nextReport(changed))).outcome).toBe('unchanged');
    // A body hashed the other way (no text) is compared on its merits: no false "unchanged", no history.
    const viaObject = await ingest(nextReport(changed, 60));
    expect(viaObject.outcome).toBe('changed');
    expect(viaObject.events).toEqual([]);
  });

  it('a report with reordered veths and host devices is a change of nothing: no history rows', async () => {
    const first = buildReport({ veths: 4, hostDevices: [flannelDevice('aa:bb:cc:00:00:01'), { ...flannelDevice('0a:58:0a:f4:00:01'), ifname: 'cni0', kind: 'bridge', role: 'cni-bridge' }] });
    await ingest(first);
    const eventsBefore = (await t.store.dumpTables()).events;
    const shuffled = nextReport(first);
    shuffled.veths.reverse();
    shuffled.hostDevices!.reverse();
    const result = await ingest(shuffled);
    expect(result.outcome).toBe('changed');
    expect(result.events).toEqual([]);
    expect((await t.store.dumpTables()).events).toEqual(eventsBefore);
  });

  it("an old agent's report (no hostDevices) after a new one's writes no host device history", async () => {
    const first = buildReport({ veths: 2, hostDevices: [flannelDevice('aa:bb:cc:00:00:01')] });
    await ingest(first);
    const downgraded = nextReport(first);
    delete downgraded.hostDevices;
    downgraded.veths[0].arpStatus = 'unknown';
    const result = await ingest(downgraded);
    expect(result.outcome).toBe('changed');
    expect(result.events.map((e) => e.type)).toEqual(['arp.changed']);
  });

  it('a report not newer than the stored state changes nothing', async () => {
    const first = buildReport({ veths: 2, collectedAt: '2026-01-01T00:10:00.000Z' });
    await ingest(first);
    const before = await t.store.dumpTables();
    const older = buildReport({ veths: 5, mismatched: 5, collectedAt: '2026-01-01T00:09:00.000Z' });
    expect((await ingest(older)).outcome).toBe('out-of-order');
    const sameInstant = buildReport({ veths: 1, collectedAt: '2026-01-01T01:10:00.000+01:00' });
    expect((await ingest(sameInstant)).outcome).toBe('out-of-order');
    expect((await ingest(older)).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
  });

  it(`remembers the last ${RECENT_REPORT_IDS} report ids: resending any of them is a duplicate, older ones are out of order`, async () => {
    const sent: Report[] = [buildReport({ veths: 1, collectedAt: '2026-01-01T00:00:00.000Z' })];
    for (let i = 1; i < RECENT_REPORT_IDS + 3; i++) sent.push(nextReport(sent[i - 1]));
    for (const r of sent) expect(['changed', 'unchanged']).toContain((await ingest(r)).outcome);
    const before = await t.store.dumpTables();
    const recent = sent.slice(-RECENT_REPORT_IDS);
    for (const r of recent) expect((await ingest(r)).outcome).toBe('duplicate');
    for (const r of sent.slice(0, 3)) expect((await ingest(r)).outcome).toBe('out-of-order');
    expect(await t.store.dumpTables()).toEqual(before);
  });

  describe('rejected reports change nothing', () => {
    let base: Report;
    beforeEach(async () => {
      base = buildReport({ node: 'n1', veths: 3 });
      await ingest(base);
    });

    const invalid: Array<[string, (r: Report) => unknown]> = [
      ['a wrong version', (r) => ({ ...r, version: 2 })],
      ['a bad MAC', (r) => ({ ...r, veths: r.veths.map((v, i) => (i === 1 ? { ...v, mac: 'AA:BB:CC:DD:EE:FF' } : v)) })],
      ['a missing node name', (r) => ({ ...r, node: undefined })],
      ['a report id that is not a UUID', (r) => ({ ...r, reportId: 'not-a-uuid' })],
      ['two veths with the same name', (r) => ({ ...r, veths: [...r.veths, { ...r.veths[0], ifindex: 99 }] })],
      ['two link files with the same path', (r) => ({ ...r, linkPolicy: { ...r.linkPolicy, files: [...r.linkPolicy.files, r.linkPolicy.files[0]] } })],
      ['an array', () => [1, 2, 3]],
      ['null', () => null],
    ];

    it.each(invalid)('%s: 422-style ValidationError with issues, tables unchanged', async (_what, mutate) => {
      const before = await t.store.dumpTables();
      const next = nextReport(base);
      next.veths[0].arpStatus = 'mismatch';
      const input = mutate(next);
      const err = await ingest(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.length).toBeGreaterThan(0);
      expect(await t.store.dumpTables()).toEqual(before);
    });

    // A body whose state equals the stored one takes the fast path; its per-report fields must still be checked.
    const invalidUnchanged: Array<[string, (r: Report) => unknown]> = [
      ['a collectedAt that is not a time', (r) => ({ ...r, collectedAt: 'yesterday' })],
      ['a report id that is not a UUID', (r) => ({ ...r, reportId: '42' })],
      ['a negative dropped-report count', (r) => ({ ...r, agent: { ...r.agent, droppedReports: -1 } })],
      ['an unknown version', (r) => ({ ...r, version: 2 })],
    ];
    it.each(invalidUnchanged)('unchanged state but %s: ValidationError, tables unchanged', async (_what, mutate) => {
      const before = await t.store.dumpTables();
      const err = await ingest(mutate(nextReport(base))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(await t.store.dumpTables()).toEqual(before);
    });

    it('a resend of a known id with a broken body is refused, not acknowledged', async () => {
      const before = await t.store.dumpTables();
      const broken = { ...structuredClone(base), veths: [{ ...base.veths[0], mac: 'nope' }] };
      await expect(ingest(broken)).rejects.toBeInstanceOf(ValidationError);
      expect(await t.store.dumpTables()).toEqual(before);
    });

    it('names the offending field in the issues', async () => {
      const next = nextReport(base);
      const input = { ...next, veths: next.veths.map((v, i) => (i === 2 ? { ...v, mac: 'zz' } : v)) };
      const err = (await ingest(input).catch((e: unknown) => e)) as ValidationError;
      expect(err.issues.map((i) => i.path)).toContainEqual(['veths', 2, 'mac']);
    });
  });
});

describe('parseJsonBody', () => {
  it('rejects what is not JSON with BadJsonError', () => {
    expect(() => parseJsonBody('{"version":1,')).toThrow(BadJsonError);
    expect(() => parseJsonBody(Buffer.from(''))).toThrow(BadJsonError);
    expect(() => parseJsonBody('   ')).toThrow(BadJsonError);
  });
  it('parses JSON from a buffer', () => {
    expect(parseJsonBody(Buffer.from('{"a":[1]}'))).toEqual({ a: [1] });
  });
});
