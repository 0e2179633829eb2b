import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import { reportSchema, type Report } from '../../lib/report/schema';
import { createMemoryLogger, silentLogger } from '../log';
import { entryName, Spool, SpoolError, writeFileAtomic } from './spool';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vw-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const big = { maxReports: 1000, maxBytes: 1 << 30 };
const reports = (n: number): Report[] => Array.from({ length: n }, (_, i) => buildReport({ node: `node-${i}`, veths: 1 }));
const files = async (sub: string) => (await readdir(path.join(dir, sub))).sort();

describe('Spool', () => {
  it('names files so lexical order is send order, and lists them in that order', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const rs = reports(12);
    for (const r of rs) await spool.append(r);
    expect(spool.list().map((e) => e.reportId)).toEqual(rs.map((r) => r.reportId));
    const names = await files('reports');
    expect(names).toEqual(rs.map((r, i) => entryName(i + 1, r.reportId)));
    expect(entryName(7, 'x')).toBe('0000000000000007-x.json');
    // Sequence numbers with different digit counts still sort right: 9 < 10 lexically too.
    expect(names[8] < names[9]).toBe(true);
  });

  it('keeps the queue across a restart and continues the sequence after it', async () => {
    const first = await Spool.open(dir, big, silentLogger);
    const rs = reports(3);
    for (const r of rs) await first.append(r);
    const again = await Spool.open(dir, big, silentLogger);
    expect(again.list().map((e) => e.reportId)).toEqual(rs.map((r) => r.reportId));
    const later = buildReport({ node: 'later' });
    const entry = await again.append(later);
    expect(entry.seq).toBe(4);
    const read = await again.read(again.list()[0]);
    expect(read).toEqual(rs[0]);
  });

  it('reads back exactly what was appended', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const r = buildReport({ node: 'n', veths: 5, mismatched: 2 });
    const entry = await spool.append(r);
    expect(await spool.read(entry)).toEqual(r);
    expect(JSON.parse(await readFile(path.join(dir, 'reports', entry.name), 'utf8'))).toEqual(r);
    expect(entry.bytes).toBe(Buffer.byteLength(JSON.stringify(r)));
  });

  it('drops the oldest reports beyond the count bound and counts them', async () => {
    const log = createMemoryLogger();
    const spool = await Spool.open(dir, { maxReports: 3, maxBytes: 1 << 30 }, log);
    const rs = reports(5);
    for (const r of rs) await spool.append(r);
    expect(spool.list().map((e) => e.reportId)).toEqual(rs.slice(2).map((r) => r.reportId));
    expect(spool.droppedReports).toBe(2);
    expect(await files('reports')).toHaveLength(3);
    expect(log.records.filter((r) => r.msg.startsWith('spool full'))).toHaveLength(2);
  });

  it('drops the oldest reports beyond the byte bound, but never the newest', async () => {
    const rs = reports(4);
    const size = Buffer.byteLength(JSON.stringify(rs[0]));
    const spool = await Spool.open(dir, { maxReports: 100, maxBytes: Math.floor(size * 2.5) }, silentLogger);
    for (const r of rs) await spool.append(r);
    expect(spool.list().map((e) => e.reportId)).toEqual(rs.slice(2).map((r) => r.reportId));
    expect(spool.droppedReports).toBe(2);
    expect(spool.size.bytes).toBeLessThanOrEqual(Math.floor(size * 2.5));

    const tiny = await Spool.open(path.join(dir, 'tiny'), { maxReports: 100, maxBytes: 10 }, silentLogger);
    const r = buildReport();
    await tiny.append(r);
    expect(tiny.list().map((e) => e.reportId)).toEqual([r.reportId]);
  });

  it('never drops the report in flight', async () => {
    const spool = await Spool.open(dir, { maxReports: 2, maxBytes: 1 << 30 }, silentLogger);
    const rs = reports(4);
    await spool.append(rs[0]);
    expect(spool.claimNext()?.reportId).toBe(rs[0].reportId);
    await spool.append(rs[1]);
    await spool.append(rs[2]);
    await spool.append(rs[3]);
    expect(spool.list().map((e) => e.reportId)).toEqual([rs[0].reportId, rs[3].reportId]);
    expect(spool.droppedReports).toBe(2);
  });

  it('persists the drop counter across restarts until a report carrying it is accepted', async () => {
    const spool = await Spool.open(dir, { maxReports: 1, maxBytes: 1 << 30 }, silentLogger);
    for (const r of reports(4)) await spool.append(r);
    expect(spool.droppedReports).toBe(3);
    expect(JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8'))).toEqual({ version: 1, droppedReports: 3 });

    const reopened = await Spool.open(dir, { maxReports: 1, maxBytes: 1 << 30 }, silentLogger);
    expect(reopened.droppedReports).toBe(3);
    // A report that told the server about 2 drops was accepted; one more happened after it was stamped.
    await reopened.acknowledgeDropped(2);
    expect(reopened.droppedReports).toBe(1);
    expect((await Spool.open(dir, big, silentLogger)).droppedReports).toBe(1);
  });

  it('counts drops when reopened with smaller bounds', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    for (const r of reports(5)) await spool.append(r);
    const smaller = await Spool.open(dir, { maxReports: 2, maxBytes: 1 << 30 }, silentLogger);
    expect(smaller.size.reports).toBe(2);
    expect(smaller.droppedReports).toBe(3);
  });

  it('writes atomically: no temp files left, and a crashed write is discarded on open', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    await spool.append(buildReport());
    expect((await files('reports')).filter((n) => n.startsWith('.'))).toEqual([]);
    // What a crash between write and rename leaves: a partial temp file.
    await writeFile(path.join(dir, 'reports', '.tmp-999-0000000000000002-abc.json'), '{"version":1,"repo');
    const reopened = await Spool.open(dir, big, silentLogger);
    expect(reopened.size.reports).toBe(1);
    expect(await files('reports')).toHaveLength(1);

    await writeFileAtomic(dir, 'x.txt', 'one');
    await writeFileAtomic(dir, 'x.txt', 'two');
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('two');
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('moves a corrupt report aside with a logged finding instead of crashing, and goes on', async () => {
    const log = createMemoryLogger();
    const spool = await Spool.open(dir, big, log);
    const [a, b, c] = reports(3);
    const ea = await spool.append(a);
    const eb = await spool.append(b);
    await spool.append(c);
    await writeFile(path.join(dir, 'reports', ea.name), '{"version":1,"reportId":'); // truncated
    await writeFile(path.join(dir, 'reports', eb.name), JSON.stringify({ ...b, node: 'not a node name!' }));

    expect(await spool.read(ea)).toBeNull();
    expect(await spool.read(eb)).toBeNull();
    expect(spool.list().map((e) => e.reportId)).toEqual([c.reportId]);
    const moved = await files('corrupt');
    expect(moved).toHaveLength(2);
    expect(moved.some((n) => n.endsWith(ea.name))).toBe(true);
    const findings = log.records.filter((r) => r.msg === 'moved an unreadable spool file aside');
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({ level: 'warn', finding: { code: 'spool-file-corrupt', severity: 'warning' } });
    expect(String((findings[0].finding as { message: string }).message)).toMatch(/not JSON/);
    expect(String((findings[1].finding as { message: string }).message)).toMatch(/node/);
  });

  it('moves aside a report whose id does not match its file name, and stray files found on open', async () => {
    const log = createMemoryLogger();
    const spool = await Spool.open(dir, big, log);
    const [a, b] = reports(2);
    const ea = await spool.append(a);
    await writeFile(path.join(dir, 'reports', ea.name), JSON.stringify(b));
    expect(await spool.read(ea)).toBeNull();
    await writeFile(path.join(dir, 'reports', 'notes.txt'), 'hello');
    const reopened = await Spool.open(dir, big, log);
    expect(reopened.size.reports).toBe(0);
    expect(await files('corrupt')).toHaveLength(2);
  });

  it('survives an unreadable state file: moves it aside and starts counting from zero', async () => {
    await writeFile(path.join(dir, 'state.json'), 'garbage');
    const log = createMemoryLogger();
    const spool = await Spool.open(dir, big, log);
    expect(spool.droppedReports).toBe(0);
    expect((await files('corrupt')).some((n) => n.endsWith('state.json'))).toBe(true);
    expect(log.records.some((r) => r.level === 'warn' && /unreadable spool state/.test(JSON.stringify(r)))).toBe(true);
  });

  it('keeps rejected reports with the server answer, bounded', async () => {
    const spool = await Spool.open(dir, { ...big, maxRejected: 2 }, silentLogger);
    const rs = reports(3);
    for (const r of rs) {
      const e = await spool.append(r);
      spool.claimNext();
      await spool.reject(e, { status: 422, answer: { error: 'invalid report', issues: [{ path: ['node'] }] } });
      await new Promise((r) => setTimeout(r, 2)); // distinct millisecond stamps
    }
    expect(spool.size.reports).toBe(0);
    const kept = await files('rejected');
    expect(kept).toHaveLength(4);
    expect(kept.filter((n) => n.endsWith('.answer.json'))).toHaveLength(2);
    expect(kept.some((n) => n.includes(rs[0].reportId))).toBe(false);
    const answer = JSON.parse(await readFile(path.join(dir, 'rejected', kept.find((n) => n.endsWith('.answer.json'))!), 'utf8'));
    expect(answer).toMatchObject({ status: 422, answer: { error: 'invalid report' } });
    const report = JSON.parse(await readFile(path.join(dir, 'rejected', kept.find((n) => !n.endsWith('.answer.json'))!), 'utf8'));
    expect(reportSchema.parse(report).reportId).toBe(rs[1].reportId);
  });

  it('removes only the accepted report', async () => {
    const spool = await Spool.open(dir, big, silentLogger);
    const [a, b] = reports(2);
    const ea = await spool.append(a);
    await spool.append(b);
    await spool.remove(ea);
    await spool.remove(ea); // a second remove of the same entry is harmless
    expect(spool.list().map((e) => e.reportId)).toEqual([b.reportId]);
    expect(await files('reports')).toHaveLength(1);
  });

  it('fails with a SpoolError when the directory cannot be created', async () => {
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(Spool.open(path.join(dir, 'file', 'spool'), big, silentLogger)).rejects.toBeInstanceOf(SpoolError);
  });
});
