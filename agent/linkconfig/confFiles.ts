// Which files udev reads, from systemd 252's conf_files_list_strv() (src/basic/conf-files.c) and
// path_strv_resolve_uniq() (src/basic/path-util.c), re-rooted under --root:
//  * the search path is NETWORK_DIRS: /etc, /run, /usr/local/lib, /usr/lib and, because Debian builds with
//    split-usr, /lib — each "systemd/network". Each directory is first canonicalised (symlinks resolved); on a
//    merged-usr system /lib/systemd/network becomes /usr/lib/systemd/network and the duplicate is dropped. That
//    is why udev names "/usr/lib/..." while dpkg recorded "/lib/...".
//  * a directory entry whose name ends in the suffix and is not hidden (".foo.link") is taken, whatever its type;
//    the first directory that has a name wins it, later ones are "overridden". The .link list is built with
//    flags 0, so masking is not done here: an empty file or /dev/null symlink wins its name like any file and
//    link_load_one() then skips it ("Skipping empty file"), which is what hides the later same-named files.
//  * the result is sorted by file name (strcmp), regardless of directory.
// Synchronous calls on purpose: a scan makes a few hundred of these tiny metadata calls, and each promise round trip
// through the thread pool costs more than the call itself. The functions stay async for their callers.
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { SymlinkLoopError } from './errors';

export const NETWORK_DIRS = [
  '/etc/systemd/network',
  '/run/systemd/network',
  '/usr/local/lib/systemd/network',
  '/usr/lib/systemd/network',
  '/lib/systemd/network',
];

export function hostPath(root: string, p: string): string {
  return root === '/' ? p : path.join(root, p);
}

/**
 * chase_symlinks() under `root`: absolute link targets are taken relative to root. Returns the canonical path
 * (as the host sees it) or null when a component does not exist. "/dev/null" is recognised by name so that
 * fixture trees do not need a device node.
 */
export async function chase(root: string, p: string): Promise<string | null> {
  let todo = p.split('/').filter((c) => c !== '');
  let done = '';
  let hops = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      done = done.slice(0, Math.max(0, done.lastIndexOf('/')));
      continue;
    }
    const next = `${done}/${c}`;
    if (`${done}/${[c, ...todo].join('/')}` === '/dev/null') return '/dev/null';
    let st;
    try {
      st = lstatSync(hostPath(root, next));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 32) throw new SymlinkLoopError(p);
      const target = readlinkSync(hostPath(root, next));
      const parts = target.split('/').filter((x) => x !== '');
      if (target.startsWith('/')) done = '';
      todo = [...parts, ...todo];
      continue;
    }
    done = next;
  }
  return done === '' ? '/' : done;
}

/** path_strv_resolve_uniq(): canonical directories, a missing one kept as given, duplicates dropped. */
export async function resolveDirs(root: string, dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    let r: string | null;
    try {
      r = await chase(root, d);
    } catch {
      continue; // path_strv_resolve() drops entries it cannot resolve for reasons other than ENOENT
    }
    const canonical = r ?? d;
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** hidden_or_backup_file(): only the names a suffix filter can still let through matter here. */
export function hiddenOrBackup(name: string): boolean {
  if (name.startsWith('.') || name.endsWith('~')) return true;
  if (['lost+found', 'aquota.user', 'aquota.group'].includes(name)) return true;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  return [
    'rpmnew',
    'rpmsave',
    'rpmorig',
    'dpkg-old',
    'dpkg-new',
    'dpkg-tmp',
    'dpkg-dist',
    'dpkg-bak',
    'dpkg-backup',
    'dpkg-remove',
    'ucf-new',
    'ucf-old',
    'ucf-dist',
    'swp',
    'bak',
    'old',
    'new',
  ].includes(name.slice(dot + 1));
}

export interface DirEntry {
  name: string;
  /** dir + "/" + name, the path udev uses and prints. */
  path: string;
  dir: string;
  dirIndex: number;
}

/** Names ending in `suffix` in one (already canonical) directory; a missing or unreadable directory is empty. */
export async function listDir(root: string, dir: string, suffix: string): Promise<string[]> {
  const canonical = await chase(root, dir).catch(() => null);
  if (canonical === null) return [];
  try {
    const names = readdirSync(hostPath(root, canonical));
    return names.filter((n) => n.endsWith(suffix) && !hiddenOrBackup(n));
  } catch {
    return [];
  }
}

/** strcmp() order of file names (byte-wise, not locale). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Every entry in every directory, in search-path order then name order (overridden ones included). */
export async function listAll(root: string, dirs: readonly string[], suffix: string): Promise<DirEntry[]> {
  const out: DirEntry[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const names = (await listDir(root, dirs[i], suffix)).sort(compareNames);
    for (const name of names) out.push({ name, path: `${dirs[i]}/${name}`, dir: dirs[i], dirIndex: i });
  }
  return out;
}

/** conf_files_list_strv(..., flags 0): the first entry per name, sorted by name. */
export function winners(all: readonly DirEntry[]): DirEntry[] {
  const seen = new Map<string, DirEntry>();
  for (const e of all) if (!seen.has(e.name)) seen.set(e.name, e);
  return [...seen.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** The drop-in directories udev searches for NAME: each NETWORK_DIR + "/NAME.d", canonicalised and de-duplicated. */
export async function dropInDirs(root: string, linkName: string): Promise<string[]> {
  return resolveDirs(
    root,
    NETWORK_DIRS.map((d) => `${d}/${linkName}.d`),
  );
}

export type NodeKind = 'null' | 'empty' | 'file' | 'directory' | 'missing' | 'other';

/**
 * What a path is once symlinks are followed: null_or_empty() calls a character or block device "null" (any,
 * not only /dev/null) and a zero-length regular file "empty".
 */
export async function nodeKind(root: string, p: string): Promise<{ kind: NodeKind; resolved: string | null }> {
  let resolved: string | null;
  try {
    resolved = await chase(root, p);
  } catch {
    return { kind: 'missing', resolved: null };
  }
  if (resolved === null) return { kind: 'missing', resolved };
  if (resolved === '/dev/null') return { kind: 'null', resolved };
  try {
    const st = statSync(hostPath(root, resolved));
    if (st.isCharacterDevice() || st.isBlockDevice()) return { kind: 'null', resolved };
    if (st.isFile()) return { kind: st.size === 0 ? 'empty' : 'file', resolved };
    if (st.isDirectory()) return { kind: 'directory', resolved };
    return { kind: 'other', resolved };
  } catch {
    return { kind: 'missing', resolved };
  }
}
