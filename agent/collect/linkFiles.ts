// The inventory of every .link file and drop-in in udev's search path, overridden and masked ones included:
// what each one is, who shipped it, whether it still has the shipped content, and the MAC settings it makes.
// The content is kept (capped) so the server can show what changed between two reports.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, statSync, type Stats } from 'node:fs';
import type { Finding, LinkFileInfo } from '../../lib/report/schema';
import { compareNames, hostPath, listAll, nodeKind, resolveDirs, NETWORK_DIRS, type DirEntry } from '../linkconfig/confFiles';
import { parseLinkFileInto } from '../linkconfig/confParser';
import { formatHwAddr } from '../linkconfig/hwaddr';
import { emptySettings } from '../linkconfig/keys';
import { DROPINS_SINCE } from '../linkconfig/load';
import { findOwners, md5Hex, readDpkgStatus, type DpkgStatus } from './dpkg';

export const MAX_CONTENT_CHARS = 65536;
export const MAX_LINK_FILES = 1024;

function finding(code: string, severity: Finding['severity'], message: string, p: string | null): Finding {
  return { code, severity, message: message.length > 1024 ? message.slice(0, 1021) + '...' : message, path: p };
}

interface Entry {
  kind: 'link' | 'dropin';
  dropInFor: string | null;
  e: DirEntry;
}

/** Every NAME.link.d directory name present in any search directory. */
async function dropInDirNames(root: string, dirs: readonly string[]): Promise<string[]> {
  const all = await listAll(root, dirs, '.link.d');
  return [...new Set(all.map((e) => e.name))].sort(compareNames);
}

/** The files, in udev's order: .link files by name then directory priority, then drop-ins likewise. */
async function enumerate(root: string): Promise<Entry[]> {
  const dirs = await resolveDirs(root, NETWORK_DIRS);
  const links = (await listAll(root, dirs, '.link')).sort((a, b) => compareNames(a.name, b.name) || a.dirIndex - b.dirIndex);
  const out: Entry[] = links.map((e) => ({ kind: 'link', dropInFor: null, e }));
  for (const d of await dropInDirNames(root, dirs)) {
    const ddirs = await resolveDirs(
      root,
      NETWORK_DIRS.map((x) => `${x}/${d}`),
    );
    const confs = (await listAll(root, ddirs, '.conf')).sort((a, b) => compareNames(a.name, b.name) || a.dirIndex - b.dirIndex);
    for (const e of confs) out.push({ kind: 'dropin', dropInFor: d.slice(0, -'.d'.length), e });
  }
  return out;
}

export interface LinkFilesResult {
  files: LinkFileInfo[];
  findings: Finding[];
}

/**
 * @param systemdVersion decides how each file's own MACAddressPolicy=/MACAddress= are read (unknown -> 252).
 * @param dpkg an already-read status database; read from root when omitted.
 */
export async function collectLinkFiles(root: string, systemdVersion: number | null, dpkg?: DpkgStatus | null): Promise<LinkFilesResult> {
  const findings: Finding[] = [];
  const entries = await enumerate(root);
  if (entries.length > MAX_LINK_FILES) {
    findings.push(finding('link-files-truncated', 'warning', `${entries.length} link files and drop-ins found; only the first ${MAX_LINK_FILES} are reported`, null));
    entries.length = MAX_LINK_FILES;
  }

  const status = dpkg === undefined ? await readDpkgStatus(root) : dpkg;
  if (status) findings.push(...status.findings);
  const { owners, findings: ownerFindings } = await findOwners(
    root,
    entries.map((x) => x.e.path),
    status,
  );
  findings.push(...ownerFindings);

  if (systemdVersion !== null && systemdVersion < DROPINS_SINCE) {
    const n = entries.filter((x) => x.kind === 'dropin').length;
    if (n > 0)
      findings.push(finding('link-dropins-unsupported', 'warning', `${n} .link drop-in(s) present, but systemd ${systemdVersion} does not read .link drop-ins`, null));
  }

  // The first entry for a name (per .link name, or per drop-in directory + name) wins; later ones are hidden by it.
  const firstByKey = new Map<string, string>();
  const files: LinkFileInfo[] = [];
  for (const { kind, dropInFor, e } of entries) {
    const key = `${kind}\0${dropInFor ?? ''}\0${e.name}`;
    const winner = firstByKey.get(key);
    if (winner === undefined) firstByKey.set(key, e.path);

    const node = await nodeKind(root, e.path);
    // Link files are tiny and few: they are read and hashed every scan, never cached, so an upgrade that puts back
    // the old mtime (or a same-size edit) always shows in sha256 and content.
    let st: Stats | null = null;
    try {
      st = lstatSync(hostPath(root, e.path));
    } catch {
      /* vanished or unreadable: reported below by what nodeKind saw */
    }
    let bytes = Buffer.alloc(0);
    let mtimeMs = st?.mtimeMs ?? 0;
    if (node.kind === 'file' || node.kind === 'empty') {
      try {
        bytes = readFileSync(hostPath(root, e.path));
        mtimeMs = statSync(hostPath(root, e.path)).mtimeMs;
      } catch (err) {
        findings.push(finding('link-file-unreadable', 'error', `${e.path}: ${(err as Error).message}`, e.path));
      }
    } else if (node.kind === 'missing') {
      findings.push(finding('link-file-dangling', 'warning', `${e.path} is a symlink to nothing; udev ignores it but it still hides same-named files in later directories`, e.path));
    } else if (node.kind === 'directory' || node.kind === 'other') {
      findings.push(finding('link-file-not-regular', 'warning', `${e.path} is not a regular file; udev fails to parse it and ignores it`, e.path));
    }

    let masked = false;
    let maskedBy: string | null = null;
    if (winner !== undefined) {
      masked = true;
      maskedBy = winner;
    } else if (node.kind === 'null' || node.kind === 'empty') {
      // The file is itself a mask: it hides every same-named file after it and is never parsed.
      masked = true;
      maskedBy = node.kind === 'null' ? (node.resolved ?? '/dev/null') : e.path;
    }

    let macAddressPolicy: string | null = null;
    let macAddress: string | null = null;
    if (bytes.length > 0) {
      const s = emptySettings();
      parseLinkFileInto(s, bytes, systemdVersion ?? 252);
      macAddressPolicy = s.macAddressPolicy;
      macAddress = s.macAddress ? formatHwAddr(s.macAddress) : null;
    }

    const owner = owners.get(e.path) ?? null;
    let content: string | null = bytes.toString('utf8');
    if (content.length > MAX_CONTENT_CHARS) {
      findings.push(finding('link-file-content-truncated', 'info', `${e.path}: content longer than ${MAX_CONTENT_CHARS} characters is not included`, e.path));
      content = null;
    }
    files.push({
      path: e.path,
      kind,
      dropInFor,
      masked,
      maskedBy,
      size: bytes.length,
      mtime: new Date(mtimeMs).toISOString(),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      package: owner ? { name: owner.package, version: owner.version } : null,
      differsFromPackage: owner?.md5 ? md5Hex(bytes) !== owner.md5 : null,
      macAddressPolicy,
      macAddress,
      content,
    });
  }
  return { files, findings };
}
