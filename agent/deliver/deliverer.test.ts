import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import type { Report } from '../../lib/report/schema';
import { createMemoryLogger, silentLogger } from '../log';
import { Deliverer, wireBody, type SendFn } from './deliverer';
import type { SendOutcome } from './send';
import { Spool } from './spool';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vw-deliver-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fast = { baseMs: 5, maxMs: 20 };
const big = { maxReports: 1000, maxBytes: 1 << 30 };

/** A send function that answers from a script (then accepts), recording what it was sent. */
function scripted(script: SendOutcome[] = []) {
  const sent: Array<{ reportId: string; droppedReports: number }> = [];
  const send: SendFn = async (body) => {
    const r = JSON.parse(body) as Report;
    sent.push({ reportId: r.reportId, droppedReports: r.agent.droppedReports });
    return script.shift() ?? { kind: 'accepted', status: 202, duplicate: false };
  };
  return { send, sent };
}

describe('Deliverer', () => {
  it('sends what an earlier run spooled first, then new reports, in order, and empties the spool', async () => {
    const old = [buildReport({ node: 'a' }), buildReport({ node: 'b' })];
    const earlier = await Spool.open(dir, big, silentLogger);
    for (const r of old) await earlier.append(r);

    const spool = await Spool.open(dir, big, silentLogger);
    const { send, sent } = scripted();
    const d = new Deliverer({ spool, send, log: silentLogger, backoff: fast });
    const fresh = buildReport({ node: 'c' });
    await d.submit(fresh);
    d.start();
    await d.whenIdle();
    await d.stop();
    expect(sent.map((s) => s.reportId)).toEqual([...old, fresh].map((r) => r.reportId));
    expect(await readdir(path.join(dir, 'reports'))).toEqual([]);
    expect(d.stats).toMatchObject({ accepted: 3, rejected: 0 });
  });

  it('retries a retryable failure with backoff, keeping the report until it is accepted', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const log = createMemoryLogger();
    const { send, sent } = scripted([
      { kind: 'retry', status: null, error: 'ECONNREFUSED' },
      { kind: 'retry', status: 503, error: 'HTTP 503' },
    ]);
    const d = new Deliverer({ spool, send, log, backoff: fast, random: () => 0 });
    const [a, b] = [buildReport({ node: 'a' }), buildReport({ node: 'b' })];
    await d.submit(a);
    await d.submit(b);
    d.start();
    await d.whenIdle();
    await d.stop();
    // a, a, a (accepted), b: b never overtakes a.
    expect(sent.map((s) => s.reportId)).toEqual([a.reportId, a.reportId, a.reportId, b.reportId]);
    const warnings = log.records.filter((r) => r.msg.startsWith('server unreachable'));
    expect(warnings.map((w) => w.retryInMs)).toEqual([3, 5]); // equal jitter with random()=0: ceiling/2
    expect(log.records.some((r) => r.msg === 'server reachable again')).toBe(true);
  });

  it('moves a report the server rejects as malformed to rejected/ and goes on with the next', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const log = createMemoryLogger();
    const { send, sent } = scripted([{ kind: 'rejected', status: 422, answer: { error: 'invalid report', issues: [] } }]);
    const d = new Deliverer({ spool, send, log, backoff: fast });
    const [a, b] = [buildReport({ node: 'a' }), buildReport({ node: 'b' })];
    await d.submit(a);
    await d.submit(b);
    d.start();
    await d.whenIdle();
    await d.stop();
    expect(sent.map((s) => s.reportId)).toEqual([a.reportId, b.reportId]);
    const rejected = await readdir(path.join(dir, 'rejected'));
    expect(rejected.filter((n) => n.includes(a.reportId))).toHaveLength(2);
    expect(log.records.find((r) => r.level === 'error')).toMatchObject({ status: 422, reportId: a.reportId });
    expect(d.stats).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('keeps reports spooled while the server refuses the token, and logs it as an error', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const log = createMemoryLogger();
    const { send, sent } = scripted([{ kind: 'refused', status: 401, answer: { error: 'unauthorized' } }]);
    const d = new Deliverer({ spool, send, log, backoff: fast });
    const a = buildReport();
    await d.submit(a);
    d.start();
    await d.whenIdle();
    await d.stop();
    expect(sent.map((s) => s.reportId)).toEqual([a.reportId, a.reportId]);
    expect(log.records.find((r) => r.level === 'error')).toMatchObject({ status: 401, retryInMs: fast.maxMs });
  });

  it('stamps droppedReports at send time and clears only what an accepted report carried', async () => {
    const spool = await Spool.open(dir, { maxReports: 2, maxBytes: 1 << 30 }, silentLogger);
    const rs = Array.from({ length: 5 }, (_, i) => buildReport({ node: `n${i}` }));
    const { send, sent } = scripted();
    const d = new Deliverer({ spool, send, log: silentLogger, backoff: fast });
    for (const r of rs) await d.submit(r); // three dropped while nothing was sending
    expect(spool.droppedReports).toBe(3);
    d.start();
    await d.whenIdle();
    await d.stop();
    expect(sent).toEqual([
      { reportId: rs[3].reportId, droppedReports: 3 },
      { reportId: rs[4].reportId, droppedReports: 0 },
    ]);
    expect(spool.droppedReports).toBe(0);
    expect((await Spool.open(dir, big, silentLogger)).droppedReports).toBe(0);
  });

  it('does not spool a report that fails the wire schema; keeps it in rejected/ for a human', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const log = createMemoryLogger();
    const { send, sent } = scripted();
    const d = new Deliverer({ spool, send, log, backoff: fast });
    const bad = { ...buildReport(), node: '' } as Report;
    expect(await d.submit(bad)).toBeNull();
    expect(spool.size.reports).toBe(0);
    expect(sent).toEqual([]);
    expect(await readdir(path.join(dir, 'rejected'))).toHaveLength(2);
    expect(log.records.find((r) => r.level === 'error')?.msg).toMatch(/fails the wire schema/);
  });

  it('stop() aborts the send in flight and leaves the report spooled', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const send: SendFn = (_body, signal) =>
      new Promise<SendOutcome>((resolve) => {
        started();
        signal.addEventListener('abort', () => resolve({ kind: 'retry', status: null, error: 'aborted' }));
      });
    const d = new Deliverer({ spool, send, log: silentLogger, backoff: fast });
    const a = buildReport();
    await d.submit(a);
    d.start();
    await inFlight;
    await d.stop();
    const again = await Spool.open(dir, big, silentLogger);
    expect(again.list().map((e) => e.reportId)).toEqual([a.reportId]);
  });

  it('wireBody overrides only droppedReports', () => {
    const r = buildReport();
    const body = JSON.parse(wireBody(r, 7)) as Report;
    expect(body).toEqual({ ...r, agent: { ...r.agent, droppedReports: 7 } });
  });
});
