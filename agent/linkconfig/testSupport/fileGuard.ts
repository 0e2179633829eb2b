// For host tests only: snapshots paths (recursively: content, symlink targets, modes, owners, mtimes to the
// nanosecond) and puts them back exactly, synchronously, so it can also run from a process 'exit' handler.
// Everything a test writes under a guarded path is undone by restore(); verify() lists what still differs.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import path from 'node:path';

type Node =
  | { type: 'file'; content: Buffer; st: BigIntStats }
  | { type: 'symlink'; target: string; st: BigIntStats }
  | { type: 'dir'; st: BigIntStats; children: Map<string, Node> }
  | { type: 'other'; st: BigIntStats };

function capture(p: string): Node | null {
  let st: BigIntStats;
  try {
    st = lstatSync(p, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (st.isSymbolicLink()) return { type: 'symlink', target: readlinkSync(p), st };
  if (st.isFile()) return { type: 'file', content: readFileSync(p), st };
  if (st.isDirectory()) {
    const children = new Map<string, Node>();
    for (const name of readdirSync(p)) {
      const c = capture(path.join(p, name));
      if (c) children.set(name, c);
    }
    return { type: 'dir', st, children };
  }
  return { type: 'other', st };
}

function setTimes(p: string, st: BigIntStats): void {
  // utimes() takes a double of seconds and cannot carry nanoseconds exactly; GNU touch can.
  const ts = (ns: bigint) => `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
  execFileSync('touch', ['-h', '-m', '-d', ts(st.mtimeNs), p]);
  execFileSync('touch', ['-h', '-a', '-d', ts(st.atimeNs), p]);
}

function sameMeta(a: BigIntStats, b: BigIntStats): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtimeNs === b.mtimeNs;
}

function differs(want: Node, have: Node | null): boolean {
  if (!have || have.type !== want.type) return true;
  if (want.type === 'file' && have.type === 'file') return !want.content.equals(have.content) || !sameMeta(want.st, have.st);
  if (want.type === 'symlink' && have.type === 'symlink') return want.target !== have.target || want.st.uid !== have.st.uid;
  if (want.type === 'dir' && have.type === 'dir') return !sameMeta(want.st, have.st);
  return false;
}

function put(p: string, want: Node): void {
  const have = capture(p);
  if (have && (have.type !== want.type || want.type === 'symlink')) rmSync(p, { recursive: true, force: true });
  switch (want.type) {
    case 'file':
      if (!have || have.type !== 'file' || !have.content.equals(want.content)) writeFileSync(p, want.content);
      chownSync(p, Number(want.st.uid), Number(want.st.gid));
      chmodSync(p, Number(want.st.mode) & 0o7777);
      setTimes(p, want.st);
      return;
    case 'symlink':
      symlinkSync(want.target, p);
      lchownSync(p, Number(want.st.uid), Number(want.st.gid));
      setTimes(p, want.st);
      return;
    case 'dir': {
      mkdirSync(p, { recursive: true });
      const current = new Set(readdirSync(p));
      for (const name of current) if (!want.children.has(name)) rmSync(path.join(p, name), { recursive: true, force: true });
      for (const [name, child] of want.children) {
        const cp = path.join(p, name);
        if (differs(child, capture(cp)) || child.type === 'dir') put(cp, child);
      }
      chownSync(p, Number(want.st.uid), Number(want.st.gid));
      chmodSync(p, Number(want.st.mode) & 0o7777);
      setTimes(p, want.st); // after the children: adding/removing entries changes a directory's mtime
      return;
    }
    case 'other':
      return; // sockets, fifos, devices: never created by the tests, left alone
  }
}

function diff(p: string, want: Node | null, out: string[]): void {
  const have = capture(p);
  if (want === null) {
    if (have) out.push(`${p} exists but did not`);
    return;
  }
  if (differs(want, have)) out.push(`${p} differs`);
  if (want.type === 'dir' && have?.type === 'dir') {
    for (const name of have.children.keys()) if (!want.children.has(name)) out.push(`${path.join(p, name)} is new`);
    for (const [name, child] of want.children) diff(path.join(p, name), child, out);
  }
}

export class FileGuard {
  private readonly snapshots = new Map<string, Node | null>();
  private readonly metaOnly = new Map<string, BigIntStats>();

  /**
   * Guards `paths` recursively as they are now (a path that does not exist yet is removed again on restore),
   * and the mode/owner/times of the existing directories in `parents` (whose mtime changes when a guarded entry
   * inside them is created or removed).
   */
  constructor(paths: readonly string[], parents: readonly string[] = []) {
    for (const p of paths) this.snapshots.set(p, capture(p));
    for (const p of parents) {
      const n = capture(p);
      if (n?.type === 'dir') this.metaOnly.set(p, n.st);
    }
  }

  get guarded(): string[] {
    return [...this.snapshots.keys()];
  }

  restore(): void {
    for (const [p, want] of this.snapshots) {
      if (want === null) rmSync(p, { recursive: true, force: true });
      else put(p, want);
    }
    // Deepest first, so restoring a parent's times is not undone by a child's.
    for (const [p, st] of [...this.metaOnly].sort((a, b) => b[0].length - a[0].length)) {
      chmodSync(p, Number(st.mode) & 0o7777);
      chownSync(p, Number(st.uid), Number(st.gid));
      setTimes(p, st);
    }
  }

  /** Human-readable differences from the snapshot (empty when everything is back). */
  verify(): string[] {
    const out: string[] = [];
    for (const [p, want] of this.snapshots) diff(p, want, out);
    for (const [p, st] of this.metaOnly) {
      const now = lstatSync(p, { bigint: true });
      if (!sameMeta(st, now)) out.push(`${p} metadata differs`);
    }
    return out;
  }
}
