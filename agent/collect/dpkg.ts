// The dpkg database under --root: which package owns a file, its version, and the md5sum the package shipped.
// Only reads. A malformed or partial database becomes findings, never an exception.
//
// Merged /usr: dpkg records the path from the .deb ("/lib/systemd/network/99-default.link") while udev names
// the path it found after resolving its search directories ("/usr/lib/systemd/network/99-default.link").
// Neither form is rewritten by string rules here: a recorded path owns a file when its directory, resolved
// under the root, is the file's directory — which also covers split-/usr systems and other symlinked dirs.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../lib/report/schema';
import { chase, hostPath } from '../linkconfig/confFiles';
import { detached, ParsedFileCache, settled, statIdentity } from './fileCache';

export const DPKG_DIR = '/var/lib/dpkg';

export interface DpkgPackage {
  name: string;
  arch: string | null;
  version: string | null;
  /** The third word of Status: (installed, config-files, half-installed, ...). */
  state: string | null;
  /** Conffile path -> md5 as recorded in status (only /etc files, for packages that have any). */
  conffiles: Map<string, string>;
}

export interface DpkgStatus {
  /** Keyed by package name; Multi-Arch: same packages can appear once per architecture. */
  packages: Map<string, DpkgPackage[]>;
  findings: Finding[];
}

export interface FileOwner {
  package: string;
  arch: string | null;
  version: string | null;
  /** The path as dpkg recorded it. */
  recordedPath: string;
  /** md5 from info/PKG.md5sums (or status Conffiles:), null when dpkg has none for the file. */
  md5: string | null;
}

function finding(code: string, severity: Finding['severity'], message: string, p: string | null): Finding {
  return { code, severity, message: message.length > 1024 ? message.slice(0, 1021) + '...' : message, path: p };
}

const FIELD_LINE = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/;
const KEPT_FIELDS = new Set(['package', 'architecture', 'version', 'status', 'conffiles']);

/** Pure: dpkg's status file (deb822 stanzas). Lines that fit no field are counted, not fatal. */
export function parseDpkgStatus(text: string, file = `${DPKG_DIR}/status`): DpkgStatus {
  const packages = new Map<string, DpkgPackage[]>();
  let malformedLines = 0;
  let stanzasWithoutPackage = 0;
  const stanzas = text.split(/\n[ \t]*\n/);
  for (const stanza of stanzas) {
    if (stanza.trim() === '') continue;
    // Only the fields used below are kept: building the long ones (Description, Conffiles of other packages) for
    // ~1000 packages costs more than the rest of the parse.
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const line of stanza.split('\n')) {
      if (line === '') continue;
      if (line[0] === ' ' || line[0] === '\t') {
        if (last === null) malformedLines++;
        else if (KEPT_FIELDS.has(last)) fields.set(last, `${fields.get(last)}\n${line.slice(1)}`);
        continue;
      }
      const m = FIELD_LINE.exec(line);
      if (!m) {
        malformedLines++;
        last = null;
        continue;
      }
      last = m[1].toLowerCase();
      if (KEPT_FIELDS.has(last)) fields.set(last, m[2]);
    }
    const name = fields.get('package')?.trim();
    if (!name) {
      stanzasWithoutPackage++;
      continue;
    }
    const conffiles = new Map<string, string>();
    for (const l of (fields.get('conffiles') ?? '').split('\n')) {
      const cm = /^\s*(\/\S+)\s+([0-9a-f]{32})(\s+\S+)*\s*$/.exec(l);
      if (cm) conffiles.set(cm[1], cm[2]);
    }
    const status = (fields.get('status') ?? '').trim().split(/\s+/);
    const pkg: DpkgPackage = {
      name,
      arch: fields.get('architecture')?.trim() || null,
      version: fields.get('version')?.trim() || null,
      state: status.length === 3 ? status[2] : null,
      conffiles,
    };
    const list = packages.get(name) ?? [];
    list.push(pkg);
    packages.set(name, list);
  }
  const findings: Finding[] = [];
  if (malformedLines > 0 || stanzasWithoutPackage > 0)
    findings.push(
      finding(
        'dpkg-status-malformed',
        'warning',
        `${file}: ${malformedLines} malformed line(s) and ${stanzasWithoutPackage} entr${stanzasWithoutPackage === 1 ? 'y' : 'ies'} without Package: were skipped`,
        file,
      ),
    );
  return { packages, findings };
}

// Run mode re-reads the database only when a file changes (see fileCache.ts); what they hold is shared between
// scans and never mutated.
const statusCache = new ParsedFileCache<DpkgStatus>(64);
const md5sumsCache = new ParsedFileCache<{ sums: Map<string, string>; malformed: number }>(256);

export async function readDpkgStatus(root: string): Promise<DpkgStatus | null> {
  const file = `${DPKG_DIR}/status`;
  const r = statusCache.read(hostPath(root, file), (bytes) => detached(parseDpkgStatus(bytes.toString('utf8'), file)));
  if (r.ok) return r.value;
  const code = r.error.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return null; // not a dpkg system
  return {
    packages: new Map(),
    findings: [finding('dpkg-status-unreadable', 'error', `${file}: ${r.error.message}`, file)],
  };
}

/** Pure: "md5  relative/path" lines -> absolute path -> md5. */
export function parseMd5sums(text: string): { sums: Map<string, string>; malformed: number } {
  const sums = new Map<string, string>();
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-fA-F]{32}) [ *](.+)$/.exec(line);
    if (!m) {
      malformed++;
      continue;
    }
    sums.set('/' + m[2].replace(/^\/+/, ''), m[1].toLowerCase());
  }
  return { sums, malformed };
}

// .list files: only the lines that could name a link file or drop-in are kept. A node has ~1000 of them, so each
// scan costs one stat per file and a read of the few that changed.
const RELEVANT = '/systemd/network/';
const RELEVANT_BYTES = Buffer.from(RELEVANT);
const listCache = new ParsedFileCache<string[]>(16384);

const chunk = Buffer.allocUnsafe(64 * 1024);

/** Whether the file holds these bytes, read through one small buffer (some lists are megabytes long). */
function fileContains(file: string, needle: Buffer): boolean {
  const fd = openSync(file, 'r');
  try {
    let kept = 0; // the tail of the previous chunk, in case the needle straddles two reads
    for (;;) {
      const n = readSync(fd, chunk, kept, chunk.length - kept, null);
      if (n === 0) return false;
      const end = kept + n;
      if (chunk.subarray(0, end).indexOf(needle) >= 0) return true;
      kept = Math.min(needle.length - 1, end);
      chunk.copy(chunk, 0, end - kept, end);
    }
  } finally {
    closeSync(fd);
  }
}

function relevantListLines(file: string): string[] | null {
  const r = listCache.load(file, (f) => {
    // Almost no list names a network file: look for the bytes before making strings of ~10 MB of file lists.
    if (!fileContains(f, RELEVANT_BYTES)) return [];
    return detached(
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.includes(RELEVANT)),
    );
  });
  return r.ok ? r.value : null;
}

// The info directory's listing, kept while the directory's own identity holds: adding, removing or renaming an
// entry changes the directory's mtime and ctime.
const dirListCache = new Map<string, { identity: string; names: string[] }>();

function listInfoDir(dir: string): string[] {
  const st = statIdentity(dir);
  if (!st.ok) return readdirSync(dir); // throws readdir's own error
  const hit = dirListCache.get(dir);
  if (hit && hit.identity === st.identity) return hit.names;
  const names = readdirSync(dir);
  if (dirListCache.size >= 64) dirListCache.clear();
  if (settled(st.ctimeMs)) dirListCache.set(dir, { identity: st.identity, names });
  else dirListCache.delete(dir);
  return names;
}

/**
 * Owners of `paths` (absolute, as udev names them; all under some systemd/network directory). Paths nobody owns
 * are absent from the result.
 */
export async function findOwners(
  root: string,
  paths: readonly string[],
  status: DpkgStatus | null,
): Promise<{ owners: Map<string, FileOwner>; findings: Finding[] }> {
  const owners = new Map<string, FileOwner>();
  const findings: Finding[] = [];
  if (status === null || paths.length === 0) return { owners, findings };

  const infoDir = hostPath(root, `${DPKG_DIR}/info`);
  let names: string[];
  try {
    names = listInfoDir(infoDir);
  } catch (e) {
    findings.push(finding('dpkg-info-unreadable', 'error', `${DPKG_DIR}/info: ${(e as Error).message}`, `${DPKG_DIR}/info`));
    return { owners, findings };
  }

  const dirCache = new Map<string, string | null>();
  const canonicalDir = async (dir: string): Promise<string | null> => {
    if (!dirCache.has(dir)) dirCache.set(dir, await chase(root, dir).catch(() => null));
    return dirCache.get(dir)!;
  };
  const wanted = new Map<string, string[]>(); // basename -> target paths
  const targetDir = new Map<string, string>();
  for (const p of paths) {
    const b = path.posix.basename(p);
    wanted.set(b, [...(wanted.get(b) ?? []), p]);
    targetDir.set(p, (await canonicalDir(path.posix.dirname(p))) ?? path.posix.dirname(p));
  }

  const lists = names.filter((n) => n.endsWith('.list')).sort();
  let unreadable = 0;
  for (const listName of lists) {
    const lines = relevantListLines(`${infoDir}/${listName}`);
    if (lines === null) {
      unreadable++;
      continue;
    }
    for (const recorded of lines) {
      const targets = wanted.get(path.posix.basename(recorded));
      if (!targets) continue;
      const dir = (await canonicalDir(path.posix.dirname(recorded))) ?? path.posix.dirname(recorded);
      for (const t of targets) {
        if (owners.has(t) || targetDir.get(t) !== dir) continue;
        const stem = listName.slice(0, -'.list'.length);
        const [pkgName, arch] = stem.includes(':') ? stem.split(':', 2) : [stem, null];
        const candidates = status.packages.get(pkgName) ?? [];
        const pkg = candidates.find((c) => arch === null || c.arch === arch || c.arch === 'all') ?? candidates[0] ?? null;
        owners.set(t, { package: pkgName, arch: arch ?? pkg?.arch ?? null, version: pkg?.version ?? null, recordedPath: recorded, md5: null });
        const conffileMd5 = pkg?.conffiles.get(recorded);
        if (conffileMd5) owners.get(t)!.md5 = conffileMd5;
      }
    }
  }
  if (unreadable > 0)
    findings.push(finding('dpkg-info-unreadable', 'warning', `${unreadable} file list(s) in ${DPKG_DIR}/info could not be read`, `${DPKG_DIR}/info`));

  // md5sums of the owning packages (one read per package).
  const byStem = new Map<string, FileOwner[]>();
  for (const o of owners.values()) {
    if (o.md5) continue;
    const stem = names.includes(`${o.package}:${o.arch}.md5sums`) ? `${o.package}:${o.arch}` : o.package;
    byStem.set(stem, [...(byStem.get(stem) ?? []), o]);
  }
  for (const [stem, list] of byStem) {
    const file = `${DPKG_DIR}/info/${stem}.md5sums`;
    const r = md5sumsCache.read(hostPath(root, file), (bytes) => detached(parseMd5sums(bytes.toString('utf8'))));
    if (!r.ok) {
      if (r.error.code !== 'ENOENT') findings.push(finding('dpkg-md5sums-unreadable', 'warning', `${file}: ${r.error.message}`, file));
      continue;
    }
    const { sums, malformed } = r.value;
    if (malformed > 0) findings.push(finding('dpkg-md5sums-malformed', 'warning', `${file}: ${malformed} malformed line(s) skipped`, file));
    for (const o of list) o.md5 = sums.get(o.recordedPath) ?? null;
  }
  return { owners, findings };
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
