// link_config_load() + link_load_one() of systemd 252: which .link files udev keeps, in which order, with which
// settings. Reads only; a file udev would reject becomes a finding and a candidate with a non-"loaded" status.
import { readFileSync, statSync } from 'node:fs';
import type { Finding } from '../../lib/report/schema';
import { testCondition } from './conditions';
import { parseLinkFileInto, type ParseMessage } from './confParser';
import { chase, dropInDirs, hostPath, listAll, NETWORK_DIRS, nodeKind, resolveDirs, winners } from './confFiles';
import { RootDirError } from './errors';
import { readHostFacts } from './hostFacts';
import { emptySettings } from './keys';
import { netMatchIsEmpty } from './match';
import type { HostFacts, LinkCandidate, LinkConfig, LinkSettings } from './types';
import { extractFirstWord } from './words';

/** The newest behaviour modelled in full; versions above it are treated like it. */
export const MODELLED_VERSION = 252;
const MAX_SYNTAX_FINDINGS_PER_FILE = 20;
/**
 * .link drop-ins (NAME.link.d/*.conf) arrived after 247: 247's link_load_one() parses the single file with
 * config_parse(); 249 (Ubuntu 22.04) already honours the drop-in workaround. 248 is assumed to be the first.
 */
export const DROPINS_SINCE = 248;

export interface LoadOptions {
  systemdVersion: number | null;
  host?: Partial<HostFacts>;
}

function finding(code: string, severity: Finding['severity'], message: string, path: string | null): Finding {
  return { code, severity, message: message.length > 1024 ? message.slice(0, 1021) + '...' : message, path };
}

/** proc_cmdline_get_key("net.naming-scheme"): the last occurrence wins, '-' and '_' in the key are equivalent. */
export function namingSchemeFromCmdline(cmdline: string | null): string | null {
  let value: string | null = null;
  let rest: string | null = cmdline;
  for (;;) {
    const r = extractFirstWord(rest, { unquote: true, relax: true, retainEscape: true });
    if ('error' in r || r.word === null) return value;
    rest = r.rest;
    if (r.word.startsWith('rd.')) continue; // initrd-only arguments; udevd on the real root skips them
    const eq = r.word.indexOf('=');
    if (eq > 0 && r.word.slice(0, eq).replace(/_/g, '-') === 'net.naming-scheme') value = r.word.slice(eq + 1);
  }
}

/**
 * Whether naming_scheme() has NAMING_STABLE_VIRTUAL_MACS: udev before 242 never derived MACs from interface
 * names; from 242 on the scheme decides, and only v238-v240 lack it. An unknown scheme name falls back to the
 * built-in default (which has it). NET_NAMING_SCHEME= in udevd's environment is not visible to us.
 */
export function stableVirtualMacs(systemdVersion: number, cmdline: string | null): boolean {
  if (systemdVersion < 242) return false;
  const scheme = namingSchemeFromCmdline(cmdline);
  return !(scheme !== null && ['v238', 'v239', 'v240'].includes(scheme));
}

type ReadBytes = { ok: true; bytes: Buffer } | { ok: false; error: string };

async function readBytes(root: string, p: string): Promise<ReadBytes> {
  try {
    const canonical = await chase(root, p);
    // A /dev/null symlink reads as nothing (a masked drop-in), whether or not the root has a device node.
    if (canonical === '/dev/null') return { ok: true, bytes: Buffer.alloc(0) };
    const st = statSync(hostPath(root, p));
    if (st.isDirectory()) return { ok: false, error: 'Is a directory' };
    if (st.isCharacterDevice()) return { ok: true, bytes: Buffer.alloc(0) };
    if (!st.isFile()) return { ok: false, error: 'not a regular file' };
    return { ok: true, bytes: readFileSync(hostPath(root, p)) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export async function loadLinkConfig(root: string, opts: LoadOptions): Promise<LinkConfig> {
  if (!root.startsWith('/')) throw new RootDirError(root, 'not an absolute path');
  try {
    if (!statSync(root).isDirectory()) throw new RootDirError(root, 'not a directory');
  } catch (e) {
    if (e instanceof RootDirError) throw e;
    throw new RootDirError(root, (e as Error).message);
  }

  const findings: Finding[] = [];
  const modelVersion = opts.systemdVersion === null ? MODELLED_VERSION : Math.min(opts.systemdVersion, MODELLED_VERSION);
  if (opts.systemdVersion === null)
    findings.push(finding('systemd-version-unknown', 'warning', `The host's systemd version is unknown; udev ${MODELLED_VERSION} behaviour is assumed.`, null));
  else if (opts.systemdVersion > MODELLED_VERSION)
    findings.push(
      finding('systemd-version-newer', 'info', `systemd ${opts.systemdVersion} is modelled as ${MODELLED_VERSION}; .link matching has not changed in ways that affect veth MACs since.`, null),
    );

  const host = await readHostFacts(root, opts.host ?? {});
  const dirs = await resolveDirs(root, NETWORK_DIRS);
  const files = winners(await listAll(root, dirs, '.link'));
  const candidates: LinkCandidate[] = [];
  const unknownFacts = new Set<string>();

  for (const f of files) {
    const c: LinkCandidate = { name: f.name, path: f.path, status: 'loaded', dropIns: [], settings: null, reason: null, policySource: null };
    candidates.push(c);

    const node = await nodeKind(root, f.path);
    if (node.kind === 'null' || node.kind === 'empty') {
      c.status = 'masked';
      c.reason = `Skipping empty file: ${f.path}`;
      continue;
    }
    if (node.kind === 'missing') {
      c.status = 'unreadable';
      c.reason = `Failed to check if "${f.path}" is empty: No such file or directory`;
      findings.push(finding('link-file-unreadable', 'error', `${c.reason} (udev ignores it, and it still hides same-named files in later directories)`, f.path));
      continue;
    }

    // config_parse_many(): the file, then every drop-in NAME.d/*.conf from all directories (one per name, the
    // earliest directory winning), in name order. Any fatal error drops the whole file.
    const settings: LinkSettings = emptySettings();
    const dropIns = modelVersion >= DROPINS_SINCE ? winners(await listAll(root, await dropInDirs(root, f.name), '.conf')) : [];
    c.dropIns = dropIns.map((d) => d.path);

    let fatal: { path: string; msg: ParseMessage } | null = null;
    const warnings: Array<{ path: string; msg: ParseMessage }> = [];
    for (const p of [f.path, ...c.dropIns]) {
      const isMain = p === f.path;
      const bytes = await readBytes(root, p);
      if (!bytes.ok) {
        // A missing drop-in (dangling symlink) is skipped like config_parse() skips ENOENT; anything else fails.
        if (!isMain && (await nodeKind(root, p)).kind === 'missing') continue;
        fatal = { path: p, msg: { line: 0, message: `Failed to open configuration file: ${bytes.error}` } };
        break;
      }
      const r = parseLinkFileInto(settings, bytes.bytes, modelVersion);
      // The last file that assigns MACAddressPolicy= decides it: name that one (a drop-in, usually), not the .link.
      if (!r.fatal) {
        const probe = emptySettings();
        parseLinkFileInto(probe, bytes.bytes, modelVersion);
        if (probe.macAddressPolicy !== null) c.policySource = p;
      }
      for (const w of r.warnings) warnings.push({ path: p, msg: w });
      if (r.fatal) {
        fatal = { path: p, msg: r.fatal };
        break;
      }
    }

    const perFile = new Map<string, number>();
    for (const w of warnings) {
      const n = (perFile.get(w.path) ?? 0) + 1;
      perFile.set(w.path, n);
      if (n <= MAX_SYNTAX_FINDINGS_PER_FILE)
        findings.push(finding('link-file-syntax', 'warning', `${w.path}:${w.msg.line}: ${w.msg.message}`, w.path));
    }
    for (const [p, n] of perFile)
      if (n > MAX_SYNTAX_FINDINGS_PER_FILE)
        findings.push(finding('link-file-syntax', 'warning', `${p}: ${n - MAX_SYNTAX_FINDINGS_PER_FILE} more warnings not shown`, p));

    if (fatal) {
      c.status = 'parse-error';
      c.reason = `${fatal.path}:${fatal.msg.line}: ${fatal.msg.message}`;
      findings.push(finding('link-file-parse-error', 'error', `${c.reason} - udev ignores ${f.path}${fatal.path === f.path ? '' : ' because of this drop-in'}.`, fatal.path));
      continue;
    }
    c.settings = settings;

    if (netMatchIsEmpty(settings.match) && settings.conditions.length === 0) {
      if (modelVersion >= 245) {
        c.status = 'empty-match';
        c.reason = `${f.path}: No valid settings found in the [Match] section, ignoring file. To match all interfaces, add OriginalName=* in the [Match] section.`;
        findings.push(finding('link-file-empty-match', 'warning', c.reason, f.path));
        continue;
      }
      if (modelVersion >= 243)
        findings.push(finding('link-file-empty-match', 'warning', `${f.path}: empty [Match] section; systemd ${modelVersion} still applies it to every device.`, f.path));
    }

    let conditionsOk = true;
    for (const cond of settings.conditions) {
      const r = testCondition(cond, host, modelVersion);
      if (r.unknownFact) unknownFacts.add(r.unknownFact);
      if (r.result !== true) conditionsOk = false;
    }
    if (!conditionsOk) {
      c.status = 'conditions-unmet';
      c.reason = `${f.path}: Conditions do not match the system environment, skipping.`;
      findings.push(finding('link-file-conditions-unmet', 'info', c.reason, f.path));
      continue;
    }

    if ((settings.macAddressPolicy === 'persistent' || settings.macAddressPolicy === 'random') && settings.macAddress) {
      findings.push(
        finding('link-file-mac-ignored', 'warning', `${f.path}: MACAddress= in [Link] section will be ignored when MACAddressPolicy= is set to "persistent" or "random".`, f.path),
      );
      if (modelVersion < 250) settings.macAddress = null;
    }
  }

  for (const fact of unknownFacts)
    findings.push(finding('host-fact-unknown', 'warning', `A [Match] condition needs the host's ${fact}, which could not be read; the condition is taken as failed.`, null));

  const sv = stableVirtualMacs(modelVersion, host.kernelCommandLine);
  if (!sv && modelVersion >= 242)
    findings.push(finding('naming-scheme-no-virtual-macs', 'info', 'net.naming-scheme= selects a scheme before v241: udev derives no persistent MAC from interface names.', null));
  if (host.machineId === null)
    findings.push(finding('machine-id-missing', 'warning', `${hostPath(root, '/etc/machine-id')} is missing or invalid: udev cannot generate persistent MACs.`, '/etc/machine-id'));

  return {
    root,
    systemdVersion: opts.systemdVersion,
    modelVersion,
    host,
    dirs,
    candidates,
    entries: candidates.filter((c) => c.status === 'loaded'),
    stableVirtualMacs: sv,
    findings,
  };
}
