// Reports dated ahead of the server clock, on both engines and both ingest paths (parsed object and body text):
// one report from two days ahead used to freeze a node, because every genuine report after it was older and so
// "out-of-order". It is refused now, stores nothing, and the genuine report after it takes effect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ValidationError } from '@/lib/http/errors';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ClockSkewConfigError, DEFAULT_MAX_CLOCK_SKEW_SECONDS, maxClockSkewSecondsFromEnv } from './clockSkew';
import { ingestReport, ingestReportText, type IngestOptions } from './ingestReport';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000);
const TWO_DAYS = 2 * 24 * 3600;

describe('maxClockSkewSecondsFromEnv', () => {
  it('is 120 s unless VETHWATCH_MAX_CLOCK_SKEW_SECONDS says otherwise', () => {
    expect(maxClockSkewSecondsFromEnv({})).toBe(DEFAULT_MAX_CLOCK_SKEW_SECONDS);
    expect(DEFAULT_MAX_CLOCK_SKEW_SECONDS).toBe(120);
    expect(maxClockSkewSecondsFromEnv({ VETHWATCH_MAX_CLOCK_SKEW_SECONDS: '30' })).toBe(30);
    expect(maxClockSkewSecondsFromEnv({ VETHWATCH_MAX_CLOCK_SKEW_SECONDS: '0' })).toBe(0);
  });

  it.each(['-1', '1.5', 'ten', '99999999'])('refuses %s at start-up', (raw) => {
    expect(() => maxClockSkewSecondsFromEnv({ VETHWATCH_MAX_CLOCK_SKEW_SECONDS: raw })).toThrow(ClockSkewConfigError);
  });
});

const paths = [
  { path: 'ingestReport', ingest: (t: TestStore, r: Report, o: IngestOptions) => ingestReport(t.store, structuredClone(r), o) },
  { path: 'ingestReportText', ingest: (t: TestStore, r: Report, o: IngestOptions) => ingestReportText(t.store, JSON.stringify(r), o) },
];

describe.each(testEngines)('reports from the future on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  describe.each(paths)('through $path', ({ ingest }) => {
    const send = (r: Report, options: IngestOptions = {}) => ingest(t, r, { bus, receivedAt: NOW, ...options });
    const refusal = (r: Report, options: IngestOptions = {}) => send(r, options).then(() => null, (e: unknown) => e);

    it('a report two days ahead is refused with a 422 naming the skew; the genuine one after it takes effect', async () => {
      const genuineBefore = buildReport({ node: 'n1', veths: 2, collectedAt: at(-60) });
      await send(genuineBefore);
      const before = await t.store.dumpTables();

      const future = buildReport({ node: 'n1', veths: 3, mismatched: 1, collectedAt: at(TWO_DAYS) });
      const err = await refusal(future);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBe(422);
      expect((err as ValidationError).message).toContain(`${TWO_DAYS} s ahead of the server clock`);
      expect((err as ValidationError).message).toContain('at most 120 s');
      expect((err as ValidationError).issues[0].path).toEqual(['collectedAt']);
      expect(await t.store.dumpTables()).toEqual(before);

      const genuine = buildReport({ node: 'n1', veths: 4, collectedAt: at(0) });
      expect((await send(genuine)).outcome).toBe('changed');
      const node = await t.store.getNode('n1');
      expect(node?.report.reportId).toBe(genuine.reportId);
      expect(node?.report.veths).toHaveLength(4);
    });

    it('a first report from the future creates no node', async () => {
      const err = await refusal(buildReport({ node: 'n2', collectedAt: at(TWO_DAYS) }));
      expect(err).toBeInstanceOf(ValidationError);
      expect(await t.store.listNodes()).toEqual([]);
      expect((await send(buildReport({ node: 'n2', collectedAt: at(-1) }))).outcome).toBe('changed');
    });

    it('a repeat of the stored state dated ahead does not move the report time into the future', async () => {
      const genuine = buildReport({ node: 'n3', veths: 2, collectedAt: at(-30) });
      await send(genuine);
      const before = await t.store.dumpTables();
      const repeat = { ...structuredClone(genuine), reportId: crypto.randomUUID(), collectedAt: at(TWO_DAYS).toISOString() };
      expect(await refusal(repeat)).toBeInstanceOf(ValidationError);
      expect(await t.store.dumpTables()).toEqual(before);
      const next = { ...structuredClone(genuine), reportId: crypto.randomUUID(), collectedAt: at(0).toISOString() };
      expect((await send(next)).outcome).toBe('unchanged');
    });

    it('a node clock a little ahead, within the allowed skew, is fine; the limit is configurable', async () => {
      expect((await send(buildReport({ node: 'n4', collectedAt: at(DEFAULT_MAX_CLOCK_SKEW_SECONDS) }))).outcome).toBe('changed');
      const err = await refusal(buildReport({ node: 'n4', collectedAt: at(DEFAULT_MAX_CLOCK_SKEW_SECONDS + 60) }), { maxClockSkewSeconds: 10 });
      expect((err as ValidationError).message).toContain('180 s ahead');
      expect((err as ValidationError).message).toContain('at most 10 s');
      expect((await send(buildReport({ node: 'n4', collectedAt: at(DEFAULT_MAX_CLOCK_SKEW_SECONDS + 60) }), { maxClockSkewSeconds: 3600 })).outcome).toBe('unchanged');
    });

    it('an old report (a spooled one) is not refused for its age', async () => {
      expect((await send(buildReport({ node: 'n5', collectedAt: at(-TWO_DAYS) }))).outcome).toBe('changed');
    });
  });
});
