// What run mode keeps between scans: host files parsed once and parsed again only when they change. A file is
// known by its identity — device, inode, size, mtime and ctime — taken by one stat per scan.
//
// Why ctime as well as mtime: a package upgrade writes new content and then sets the mtime stored in the .deb,
// which can be the old one (and an upgrade of the same size is common). Userspace can set mtime but not ctime:
// any write, and the utimes() that restores an mtime after it, moves ctime to "now"; a file replaced by rename
// has a new inode. So equal identities mean the same content, with one exception handled below.
//
// The exception is a write within the filesystem clock's granularity (file times come from a coarse clock that
// ticks every few ms): stat, read, then a same-size write in the same tick leaves every field as it was. Like
// git's "racily clean" index entries, a file whose ctime is less than RACY_MS before the read is not trusted
// next time and is read again, until it has been quiet for long enough. (2 s also covers filesystems that keep
// whole seconds only.)
import { type BigIntStats, readFileSync, statSync } from 'node:fs';

export const RACY_MS = 2000;
/** The clock the racy check reads; tests move it forward to see the identity check alone at work. */
export const cacheClock = { now: (): number => Date.now() };
const DEFAULT_MAX_ENTRIES = 4096;

/** dev:ino:size:mtime:ctime, the times in nanoseconds. */
export function fileIdentity(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export type StatResult = { ok: true; identity: string; ctimeMs: number; stats: BigIntStats } | { ok: false; error: NodeJS.ErrnoException };

/** One stat() (following symlinks, as a read does), as an identity. */
export function statIdentity(file: string): StatResult {
  try {
    const stats = statSync(file, { bigint: true });
    return { ok: true, identity: fileIdentity(stats), ctimeMs: Number(stats.ctimeNs / 1_000_000n), stats };
  } catch (e) {
    return { ok: false, error: e as NodeJS.ErrnoException };
  }
}

/** Whether a file read now, with this ctime, can be trusted to be unchanged while its identity is. */
export function settled(ctimeMs: number, now = cacheClock.now()): boolean {
  return now - ctimeMs >= RACY_MS;
}

/**
 * A deep copy whose strings own their characters. Strings cut out of a file's text (regex matches, split, slice)
 * share the text's memory: a cached result made of a few short strings would keep the whole file alive (1.4 MB
 * for a dpkg status file that has one non-Latin-1 character, as V8 then stores it two bytes per character).
 */
export function detached<T>(value: T): T {
  return structuredClone(value);
}

export type CachedRead<T> = { ok: true; value: T; fromCache: boolean } | { ok: false; error: NodeJS.ErrnoException };

interface Entry<T> {
  identity: string;
  /** False for a racily read file: read it again next time. */
  trusted: boolean;
  value: T;
}

/**
 * Parsed host files by path (and variant: the same file parsed for different questions, e.g. different package
 * sets). `parse` must be pure: its result is shared by every later scan and must not be mutated by callers.
 */
export class ParsedFileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  read(file: string, parse: (bytes: Buffer) => T, variant = ''): CachedRead<T> {
    // A read error is the answer; an error of `parse` is a bug and goes to the caller as it is.
    const failed: { error?: unknown } = {};
    const r = this.load(
      file,
      (f) => {
        const bytes = readFileSync(f);
        try {
          return parse(bytes);
        } catch (e) {
          failed.error = e;
          throw e;
        }
      },
      variant,
    );
    if ('error' in failed) throw failed.error;
    return r;
  }

  /**
   * Like read(), for a value that `load` makes by reading the file itself (e.g. in chunks, never holding it all).
   * An error `load` throws is the read's error.
   */
  load(file: string, load: (file: string) => T, variant = ''): CachedRead<T> {
    const key = this.key(file, variant);
    const st = statIdentity(file);
    if (!st.ok) {
      // Read anyway, uncached, so the caller sees the same error (or content) a plain read gives.
      this.entries.delete(key);
      try {
        return { ok: true, value: load(file), fromCache: false };
      } catch (e) {
        return { ok: false, error: e as NodeJS.ErrnoException };
      }
    }
    const hit = this.entries.get(key);
    if (hit && hit.trusted && hit.identity === st.identity) {
      this.hits++;
      return { ok: true, value: hit.value, fromCache: true };
    }
    this.misses++;
    let value: T;
    try {
      value = load(file);
    } catch (e) {
      this.entries.delete(key);
      return { ok: false, error: e as NodeJS.ErrnoException };
    }
    // The identity is the one seen before the read: if the file changed in between, the next stat differs.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { identity: st.identity, trusted: settled(st.ctimeMs), value });
    return { ok: true, value, fromCache: false };
  }

  clear(): void {
    this.entries.clear();
  }

  private key(file: string, variant: string): string {
    return variant === '' ? file : `${file}\0${variant}`;
  }
}
