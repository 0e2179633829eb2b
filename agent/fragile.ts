// Fixes that will undo themselves: new veths are safe today, but only because of something the next package
// upgrade, reboot or configuration-management run is known to change. The failure this project started from is
// the first kind: MACAddressPolicy=none edited into the package's own /usr/lib/systemd/network/99-default.link,
// then put back to persistent by the next udev upgrade. Pure rules over what the scan already read, plus two
// counterfactual resolutions (the same linkconfig model, with the boot-time fact the next boot changes).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FragileFix, LinkFileInfo, LinkVerdict } from '../lib/report/schema';
import { explainLink, hostPath, newVethFacts, type LinkConfig } from './linkconfig';
import { namingSchemeFromCmdline } from './linkconfig/load';

/** At most this many entries per report (there are five kinds; a node rarely has more than one). */
export const MAX_FRAGILE_FIXES = 16;

/** Headers the common configuration-management tools write into the files they manage. */
const MANAGED_HEADERS: { tool: string; re: RegExp }[] = [
  { tool: 'Ansible', re: /\bAnsible managed\b/i },
  { tool: 'Puppet', re: /\bmanaged by Puppet\b/i },
  { tool: 'Chef', re: /\bmanaged by Chef\b/i },
  { tool: 'Salt', re: /\bmanaged by Salt(Stack)?\b|\bsalt:\/\//i },
];

/** Only the head of a file is searched: the tools put their marker in the first lines. */
const HEADER_CHARS = 2048;

/** Which configuration-management tool says it manages this text, if any. */
export function managedBy(content: string | null): string | null {
  if (content === null) return null;
  const head = content.slice(0, HEADER_CHARS);
  return MANAGED_HEADERS.find((h) => h.re.test(head))?.tool ?? null;
}

/** Package-owned trees: what dpkg/rpm put there comes back on every upgrade or reinstall, edits or not. */
export function isPackageTree(p: string): boolean {
  return p.startsWith('/usr/lib/') || p.startsWith('/lib/');
}

/** The files that set MACAddressPolicy= for new veths, in udev's order: the link file (unset there means none), then its drop-ins. */
function policyChain(newVeth: LinkVerdict, files: readonly LinkFileInfo[]): { file: LinkFileInfo; policy: string }[] {
  if (newVeth.linkFile === null) return [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out: { file: LinkFileInfo; policy: string }[] = [];
  const link = byPath.get(newVeth.linkFile);
  if (link) out.push({ file: link, policy: (link.macAddressPolicy ?? 'none').trim() || 'none' });
  for (const p of newVeth.dropIns) {
    const f = byPath.get(p);
    if (f && f.macAddressPolicy !== null) out.push({ file: f, policy: f.macAddressPolicy.trim() || 'none' });
  }
  return out;
}

/** What the package's own copy would bring back, as far as it is known without the .deb. */
function restoredSetting(file: LinkFileInfo): string {
  // udev's stock 99-default.link has said MACAddressPolicy=persistent since systemd 209 on every distribution.
  return path.posix.basename(file.path) === '99-default.link' ? 'MACAddressPolicy=persistent' : `the package's copy of ${file.path}`;
}

export interface FragilityInput {
  newVeth: LinkVerdict;
  files: readonly LinkFileInfo[];
  /** Whether the verdict changes if /etc/machine-id is filled in (the next boot writes one when it is missing). */
  rewritesWithMachineId: boolean;
  machineIdMissing: boolean;
  /** net.naming-scheme= from the kernel command line, when the verdict changes without it. */
  namingScheme: string | null;
  rewritesWithoutNamingScheme: boolean;
  /** Whether the boot configuration (/etc/default/grub, /etc/kernel/cmdline) sets the naming scheme too. */
  namingSchemePersisted: boolean;
}

/** Why this file, which gives MACAddressPolicy=none (or leaves it unset), will not keep doing so; null when it will. */
function fragileFile(file: LinkFileInfo, policy: string): FragileFix | null {
  const where = file.path;
  if (isPackageTree(where) && file.package && file.differsFromPackage === true) {
    const pkg = file.package;
    const undoneBy = `the next upgrade or reinstall of ${pkg.name} restores ${restoredSetting(file)}`;
    return {
      kind: 'package-edited',
      path: where,
      package: pkg,
      undoneBy,
      message: `New veths are safe only because ${where} (owned by ${pkg.name} ${pkg.version ?? '(version unknown)'}) was edited in place to give ${policy}: ${undoneBy}. Put the fix in /etc/systemd/network instead.`,
    };
  }
  if (where.startsWith('/run/')) {
    return {
      kind: 'runtime-file',
      path: where,
      package: null,
      undoneBy: 'the next reboot: /run is a tmpfs',
      message: `New veths are safe only because of ${where}, which gives ${policy} and lives under /run: it is gone at the next reboot. Put the fix in /etc/systemd/network instead.`,
    };
  }
  const tool = where.startsWith('/etc/') ? managedBy(file.content) : null;
  if (tool) {
    const undoneBy = `the next ${tool} run rewrites it from its template`;
    return {
      kind: 'config-managed',
      path: where,
      package: null,
      undoneBy,
      message: `New veths are safe only because of ${where}, which gives ${policy} but says it is managed by ${tool}: ${undoneBy}. Put the fix into the ${tool} source of this file.`,
    };
  }
  return null;
}

/** Pure: every way the agent can see that today's safe verdict will be lost. Empty when new veths are at risk. */
export function assessFragility(input: FragilityInput): FragileFix[] {
  const { newVeth } = input;
  if (newVeth.udevRewritesMac) return [];
  const out: FragileFix[] = [];
  const policy = `MACAddressPolicy=${newVeth.macAddressPolicy ?? 'none'}`;
  // Walk back from the setting that wins. A durable file giving none means the node stays safe whatever the later
  // fragile files do; a file giving persistent/random is what comes back once they are gone.
  const fileFixes: FragileFix[] = [];
  const chain = policyChain(newVeth, input.files);
  for (let i = chain.length - 1; i >= 0; i--) {
    const { file, policy: p } = chain[i];
    if (p === 'persistent' || p === 'random') break;
    const fix = fragileFile(file, policy);
    if (fix === null) {
      fileFixes.length = 0;
      break;
    }
    fileFixes.push(fix);
  }
  out.push(...fileFixes);
  if (input.machineIdMissing && input.rewritesWithMachineId) {
    const undoneBy = 'the next boot writes a machine ID, and then udev applies MACAddressPolicy=persistent';
    out.push({
      kind: 'machine-id',
      path: '/etc/machine-id',
      package: null,
      undoneBy,
      message: `New veths are safe only because /etc/machine-id is missing or empty, so udev cannot compute persistent MACs: ${undoneBy}. Set MACAddressPolicy=none in /etc/systemd/network instead.`,
    });
  }
  if (input.namingScheme !== null && input.rewritesWithoutNamingScheme && !input.namingSchemePersisted) {
    const undoneBy = `the next boot without net.naming-scheme=${input.namingScheme} on the kernel command line (it is not in /etc/default/grub or /etc/kernel/cmdline)`;
    out.push({
      kind: 'kernel-cmdline',
      path: '/proc/cmdline',
      package: null,
      undoneBy,
      message: `New veths are safe only because the kernel command line sets net.naming-scheme=${input.namingScheme}, under which udev derives no persistent MAC from a veth's name: ${undoneBy} makes udev rewrite them. Set MACAddressPolicy=none in /etc/systemd/network instead.`,
    });
  }
  return out.slice(0, MAX_FRAGILE_FIXES);
}

function readSmall(file: string): string | null {
  try {
    return readFileSync(file).subarray(0, 65536).toString('utf8');
  } catch {
    return null;
  }
}

/** The boot-configuration files a persisted kernel argument lives in (GRUB on Debian/Ubuntu, kernel-install). */
const BOOT_CMDLINE_FILES = ['/etc/default/grub', '/etc/kernel/cmdline'];

/** The facts assessFragility needs that the link policy does not carry, read under root. */
export function fragilityInput(root: string, config: LinkConfig, vethPrefix: string, newVeth: LinkVerdict, files: readonly LinkFileInfo[]): FragilityInput {
  const probe = newVethFacts(vethPrefix);
  const machineIdMissing = config.host.machineId === null;
  const rewritesWithMachineId =
    machineIdMissing && explainLink({ ...config, host: { ...config.host, machineId: '0123456789abcdef0123456789abcdef' } }, probe).verdict.udevRewritesMac;
  const namingScheme = namingSchemeFromCmdline(config.host.kernelCommandLine);
  const rewritesWithoutNamingScheme =
    namingScheme !== null && !config.stableVirtualMacs && (config.modelVersion ?? 0) >= 242 && explainLink({ ...config, stableVirtualMacs: true }, probe).verdict.udevRewritesMac;
  const namingSchemePersisted =
    namingScheme !== null && BOOT_CMDLINE_FILES.some((f) => (readSmall(hostPath(root, f)) ?? '').includes(`naming-scheme=${namingScheme}`));
  return { newVeth, files, machineIdMissing, rewritesWithMachineId, namingScheme, rewritesWithoutNamingScheme, namingSchemePersisted };
}
