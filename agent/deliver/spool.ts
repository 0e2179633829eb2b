// The on-disk queue of reports the server has not accepted yet. One file per report, named
// `<16-digit sequence>-<reportId>.json` so lexical order is send order; written atomically (temp file, fsync, rename,
// fsync of the directory) so a crash leaves either the whole report or nothing. Bounded by count and bytes: the
// oldest reports are dropped first and counted, and the count survives restarts in state.json so the server
// eventually hears about every loss.
//
// Layout under the spool directory:
//   reports/    reports waiting to be sent
//   rejected/   `<ms>-<name>`: reports the server refused as malformed (400/413/422), each with a
//               `.answer.json` beside it holding the server's answer; bounded
//   corrupt/    `<ms>-<name>`: files in reports/ that could not be read back as a report; bounded
//   state.json  {"version":1,"droppedReports":N}
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reportSchema, type Report } from '../../lib/report/schema';
import type { Logger } from '../log';

export interface SpoolLimits {
  maxReports: number;
  maxBytes: number;
  /** Reports kept in rejected/ (oldest deleted first). */
  maxRejected?: number;
  /** Files kept in corrupt/ (oldest deleted first). */
  maxCorrupt?: number;
}

export interface SpoolEntry {
  name: string;
  seq: number;
  reportId: string;
  bytes: number;
}

export class SpoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpoolError';
  }
}

const ENTRY_NAME = /^(\d{16})-([0-9a-fA-F-]{36})\.json$/;
const STATE_VERSION = 1;

export function entryName(seq: number, reportId: string): string {
  return `${String(seq).padStart(16, '0')}-${reportId}.json`;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write `data` to dir/name so that readers see the old file or the whole new one, even across a power cut. */
export async function writeFileAtomic(dir: string, name: string, data: string): Promise<void> {
  const tmp = path.join(dir, `.tmp-${process.pid}-${name}`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path.join(dir, name));
  await fsyncDir(dir);
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class Spool {
  readonly dir: string;
  private readonly reportsDir: string;
  private readonly rejectedDir: string;
  private readonly corruptDir: string;
  private readonly statePath: string;
  private readonly limits: Required<SpoolLimits>;
  private readonly log: Logger;
  private entries: SpoolEntry[] = [];
  private totalBytes = 0;
  private nextSeq = 1;
  private dropped = 0;
  private inFlight: string | null = null;

  private constructor(dir: string, limits: SpoolLimits, log: Logger) {
    this.dir = dir;
    this.reportsDir = path.join(dir, 'reports');
    this.rejectedDir = path.join(dir, 'rejected');
    this.corruptDir = path.join(dir, 'corrupt');
    this.statePath = path.join(dir, 'state.json');
    this.limits = { maxRejected: 50, maxCorrupt: 50, ...limits };
    this.log = log;
  }

  /** Create the directories if needed and index what a previous run left behind. */
  static async open(dir: string, limits: SpoolLimits, log: Logger): Promise<Spool> {
    const spool = new Spool(path.resolve(dir), limits, log);
    try {
      for (const d of [spool.dir, spool.reportsDir, spool.rejectedDir, spool.corruptDir]) {
        await mkdir(d, { recursive: true, mode: 0o700 });
      }
    } catch (err) {
      throw new SpoolError(`cannot create spool directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    await spool.loadState();
    await spool.index();
    await spool.enforceBounds(null);
    return spool;
  }

  /** Reports dropped by the bounds since the last accepted report that carried the count. */
  get droppedReports(): number {
    return this.dropped;
  }

  get size(): { reports: number; bytes: number } {
    return { reports: this.entries.length, bytes: this.totalBytes };
  }

  /** Waiting reports in send order. */
  list(): SpoolEntry[] {
    return [...this.entries];
  }

  private async loadState(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.statePath, 'utf8');
    } catch (err) {
      if (isMissing(err)) return;
      throw new SpoolError(`cannot read ${this.statePath}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const state = JSON.parse(text) as { version?: unknown; droppedReports?: unknown };
      const dropped = state.droppedReports;
      if (state.version !== STATE_VERSION || typeof dropped !== 'number' || !Number.isSafeInteger(dropped) || dropped < 0) {
        throw new Error('unexpected shape');
      }
      this.dropped = dropped;
    } catch (err) {
      await this.moveAside(this.statePath, 'state.json', `unreadable spool state: ${(err as Error).message}`);
    }
  }

  private async saveState(): Promise<void> {
    await writeFileAtomic(this.dir, 'state.json', JSON.stringify({ version: STATE_VERSION, droppedReports: this.dropped }) + '\n');
  }

  private async index(): Promise<void> {
    const names = (await readdir(this.reportsDir)).sort();
    const entries: SpoolEntry[] = [];
    for (const name of names) {
      const full = path.join(this.reportsDir, name);
      if (name.startsWith('.tmp-')) {
        // A write that a crash interrupted before its rename: never a complete report.
        await unlink(full).catch(() => undefined);
        continue;
      }
      const m = ENTRY_NAME.exec(name);
      if (!m) {
        await this.moveAside(full, name, 'file in the spool that is not a spooled report');
        continue;
      }
      const st = await stat(full);
      if (!st.isFile()) {
        await this.moveAside(full, name, 'spool entry is not a regular file');
        continue;
      }
      entries.push({ name, seq: Number(m[1]), reportId: m[2], bytes: st.size });
    }
    this.entries = entries;
    this.totalBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    this.nextSeq = entries.length ? entries[entries.length - 1].seq + 1 : 1;
  }

  /** Put a report at the end of the queue, then drop the oldest reports if the spool is over its bounds. */
  async append(report: Report): Promise<SpoolEntry> {
    const seq = this.nextSeq++;
    const name = entryName(seq, report.reportId);
    const data = JSON.stringify(report);
    try {
      await writeFileAtomic(this.reportsDir, name, data);
    } catch (err) {
      throw new SpoolError(`cannot write ${path.join(this.reportsDir, name)}: ${(err as Error).message}`, { cause: err });
    }
    const entry: SpoolEntry = { name, seq, reportId: report.reportId, bytes: Buffer.byteLength(data) };
    this.entries.push(entry);
    this.totalBytes += entry.bytes;
    await this.enforceBounds(name);
    return entry;
  }

  /**
   * Drop the oldest reports until the spool fits its bounds. Never drops the report being sent (its fate is the
   * server's answer) nor the one just appended (the newest state of the node is the most valuable).
   */
  private async enforceBounds(keep: string | null): Promise<void> {
    let droppedNow = 0;
    while (this.entries.length > this.limits.maxReports || this.totalBytes > this.limits.maxBytes) {
      const victim = this.entries.find((e) => e.name !== this.inFlight && e.name !== keep);
      if (!victim) break;
      // Forgotten before the await, so the deliverer cannot claim a report that is on its way out.
      this.forget(victim.name);
      droppedNow++;
      await unlink(path.join(this.reportsDir, victim.name)).catch((err) => {
        if (!isMissing(err)) throw err;
      });
    }
    if (droppedNow > 0) {
      this.dropped += droppedNow;
      await this.saveState();
      this.log.warn('spool full: dropped the oldest reports', {
        dropped: droppedNow,
        droppedSinceLastAccepted: this.dropped,
        spooled: this.entries.length,
        spooledBytes: this.totalBytes,
      });
    }
  }

  private forget(name: string): void {
    const i = this.entries.findIndex((e) => e.name === name);
    if (i === -1) return;
    this.totalBytes -= this.entries[i].bytes;
    this.entries.splice(i, 1);
  }

  /** The oldest waiting report, marked as in flight so the bounds leave it alone until release(). */
  claimNext(): SpoolEntry | null {
    const entry = this.entries[0] ?? null;
    this.inFlight = entry?.name ?? null;
    return entry;
  }

  release(): void {
    this.inFlight = null;
  }

  /** Read a spooled report back. A file that is not a valid report is moved to corrupt/ and null returned. */
  async read(entry: SpoolEntry): Promise<Report | null> {
    const full = path.join(this.reportsDir, entry.name);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      if (isMissing(err)) {
        this.forget(entry.name);
        return null;
      }
      throw new SpoolError(`cannot read ${full}: ${(err as Error).message}`, { cause: err });
    }
    let problem: string;
    try {
      const parsed = reportSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.reportId === entry.reportId) return parsed.data;
      problem = parsed.success
        ? `reportId ${parsed.data.reportId} does not match the file name`
        : `not a valid report: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    } catch (err) {
      problem = `not JSON: ${(err as Error).message}`;
    }
    this.forget(entry.name);
    if (this.inFlight === entry.name) this.inFlight = null;
    await this.moveAside(full, entry.name, problem);
    return null;
  }

  /** The server accepted this report: it may go. */
  async remove(entry: SpoolEntry): Promise<void> {
    await unlink(path.join(this.reportsDir, entry.name)).catch((err) => {
      if (!isMissing(err)) throw new SpoolError(`cannot remove ${entry.name}: ${(err as Error).message}`, { cause: err });
    });
    this.forget(entry.name);
    if (this.inFlight === entry.name) this.inFlight = null;
  }

  /** A report that told the server about `count` drops was accepted; those drops are reported. */
  async acknowledgeDropped(count: number): Promise<void> {
    if (count <= 0) return;
    this.dropped = Math.max(0, this.dropped - count);
    await this.saveState();
  }

  /** The server will never accept this report: keep it with the answer for a human, out of the send queue. */
  async reject(entry: SpoolEntry, answer: { status: number | null; answer: unknown }): Promise<void> {
    const from = path.join(this.reportsDir, entry.name);
    const name = `${Date.now()}-${entry.name}`;
    try {
      await rename(from, path.join(this.rejectedDir, name));
    } catch (err) {
      if (!isMissing(err)) throw new SpoolError(`cannot move ${entry.name} to rejected/: ${(err as Error).message}`, { cause: err });
    }
    this.forget(entry.name);
    if (this.inFlight === entry.name) this.inFlight = null;
    await this.writeAnswer(name, answer);
    await fsyncDir(this.rejectedDir);
    await this.trim(this.rejectedDir, this.limits.maxRejected * 2);
  }

  /** A report that failed validation before it was ever spooled (an agent bug): keep it for a human. */
  async rejectUnsent(report: unknown, issues: unknown): Promise<string> {
    const id = (report as { reportId?: unknown })?.reportId;
    const name = `${Date.now()}-${typeof id === 'string' && /^[0-9a-fA-F-]{36}$/.test(id) ? id : 'no-report-id'}.json`;
    await writeFileAtomic(this.rejectedDir, name, JSON.stringify(report));
    await this.writeAnswer(name, { status: null, answer: { error: 'failed validation in the agent', issues } });
    await this.trim(this.rejectedDir, this.limits.maxRejected * 2);
    return path.join(this.rejectedDir, name);
  }

  private async writeAnswer(name: string, answer: { status: number | null; answer: unknown }): Promise<void> {
    const answerName = name.replace(/\.json$/, '.answer.json');
    await writeFile(
      path.join(this.rejectedDir, answerName),
      JSON.stringify({ rejectedAt: new Date().toISOString(), ...answer }, null, 2) + '\n',
      { mode: 0o600 },
    );
  }

  /** Move a file out of the way into corrupt/, and say so loudly: it is data the server will not see. */
  private async moveAside(full: string, name: string, problem: string): Promise<void> {
    const target = path.join(this.corruptDir, `${Date.now()}-${name}`);
    try {
      await rename(full, target);
    } catch (err) {
      if (isMissing(err)) return;
      throw new SpoolError(`cannot move ${full} aside: ${(err as Error).message}`, { cause: err });
    }
    this.log.warn('moved an unreadable spool file aside', {
      finding: { code: 'spool-file-corrupt', severity: 'warning', message: problem, path: target },
      from: full,
      to: target,
    });
    await this.trim(this.corruptDir, this.limits.maxCorrupt);
  }

  /** Keep only the newest `max` files of a side folder (names sort by age). */
  private async trim(dir: string, max: number): Promise<void> {
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    for (const name of names.slice(0, Math.max(0, names.length - max))) {
      await unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}
