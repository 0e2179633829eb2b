// The host facts udev's [Match] conditions look at, read the way systemd 252 reads them. Under --root the files
// come from the root; facts of the running kernel (release, architecture, command line) are the same from any
// mount namespace. Nothing here writes anything.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname as osHostname, machine, release } from 'node:os';
import { isContainerVirtualization } from './conditions';
import { chase, hostPath } from './confFiles';
import type { HostFacts } from './types';

// Small files (sysfs attributes, /proc, /etc): read synchronously, a promise round trip costs more than the read.
async function readText(file: string, max = 65536): Promise<string | null> {
  try {
    const b = readFileSync(file);
    return b.subarray(0, max).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * id128_read(..., ID128_FORMAT_PLAIN): 32 hex digits, optionally followed by one newline and nothing else;
 * "uninitialized", empty, or all zeros means there is no machine ID (and so no persistent MAC).
 */
export function parseMachineId(content: string | null): string | null {
  if (content === null) return null;
  const m = /^([0-9a-fA-F]{32})\n?$/.exec(content.slice(0, 37));
  if (!m || content.length > 33) return null;
  const id = m[1].toLowerCase();
  return /^0+$/.test(id) ? null : id;
}

/** uname machine -> systemd architecture name (src/basic/architecture.c). */
export function systemdArchitecture(unameMachine: string): string | null {
  const map: Record<string, string> = {
    x86_64: 'x86-64',
    i686: 'x86',
    i586: 'x86',
    i486: 'x86',
    i386: 'x86',
    aarch64: 'arm64',
    aarch64_be: 'arm64-be',
    armv8l: 'arm',
    armv7l: 'arm',
    armv6l: 'arm',
    armv8b: 'arm-be',
    armv7b: 'arm-be',
    ppc64le: 'ppc64-le',
    ppc64: 'ppc64',
    ppc: 'ppc',
    ppcle: 'ppc-le',
    s390x: 's390x',
    s390: 's390',
    riscv64: 'riscv64',
    riscv32: 'riscv32',
    loongarch64: 'loongarch64',
    mips64: 'mips64',
    mips: 'mips',
    alpha: 'alpha',
    ia64: 'ia64',
    parisc64: 'parisc64',
    parisc: 'parisc',
    m68k: 'm68k',
    sparc64: 'sparc64',
    sparc: 'sparc',
  };
  return map[unameMachine] ?? null;
}

function detectVirtWithTool(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('systemd-detect-virt', args, { timeout: 5000 }, (err, stdout) => {
      const out = String(stdout ?? '').trim();
      // It exits 1 with "none" when there is nothing to detect; any other failure means "not available".
      if (out && /^[a-z0-9-]+$/.test(out)) resolve(out);
      else resolve(err ? null : 'none');
    });
  });
}

/** The container markers detect_container() checks that live in files, under root. */
async function containerFromFiles(root: string): Promise<string | null> {
  const run = await readText(hostPath(root, '/run/systemd/container'));
  if (run && run.trim()) {
    const v = run.trim();
    return ['oci', 'docker'].includes(v) ? 'docker' : v;
  }
  if ((await chase(root, '/run/.containerenv').catch(() => null)) !== null) return 'podman';
  if ((await chase(root, '/.dockerenv').catch(() => null)) !== null) return 'docker';
  return null;
}

// Virtualization does not change while the agent runs; detect it once per root.
const virtCache = new Map<string, Promise<string | null>>();

function virtualization(root: string): Promise<string | null> {
  let p = virtCache.get(root);
  if (!p) {
    p = detectVirtualization(root);
    virtCache.set(root, p);
  }
  return p;
}

async function detectVirtualization(root: string): Promise<string | null> {
  if (root === '/') return detectVirtWithTool([]);
  // Under another root the agent runs beside the host, not as it: container markers come from the root's files,
  // and the VM (a property of the hardware) is the same for every namespace.
  const container = await containerFromFiles(root);
  if (container) return container;
  return detectVirtWithTool(['--vm']);
}

/** proc_cmdline(): in a container udev reads PID 1's command line (NULs as spaces), else /proc/cmdline. */
async function kernelCommandLine(root: string, virt: string | null): Promise<string | null> {
  if (root === '/' && isContainerVirtualization(virt)) {
    const raw = await readText('/proc/1/cmdline', 1 << 20);
    if (raw === null) return null;
    return raw.replace(/\0+$/, '').replace(/\0/g, ' ');
  }
  const underRoot = root === '/' ? null : await readText(hostPath(root, '/proc/cmdline'), 1 << 20);
  const text = underRoot ?? (await readText('/proc/cmdline', 1 << 20));
  return text === null ? null : text.replace(/\n$/, '');
}

async function firmware(root: string): Promise<NonNullable<HostFacts['firmware']>> {
  const exists = async (p: string) => (await chase(root, p).catch(() => null)) !== null;
  const smbios: Record<string, string> = {};
  try {
    for (const name of readdirSync(hostPath(root, '/sys/class/dmi/id'))) {
      const v = await readText(hostPath(root, `/sys/class/dmi/id/${name}`), 4096);
      if (v !== null) smbios[name] = v;
    }
  } catch {
    /* no DMI (containers, ARM boards): smbios-field() conditions are then false */
  }
  const compat = await readText(hostPath(root, '/proc/device-tree/compatible'), 65536);
  return {
    deviceTree: await exists('/sys/firmware/devicetree'),
    uefi: await exists('/sys/firmware/efi'),
    deviceTreeCompatible: compat ? compat.split('\0').filter((s) => s !== '') : [],
    smbios,
  };
}

/** running_in_userns(): a uid_map other than the identity map of the whole range. */
async function privateUsers(root: string): Promise<boolean | null> {
  if (root !== '/') return null;
  const map = await readText('/proc/self/uid_map');
  if (map === null) return null;
  return !/^\s*0\s+0\s+4294967295\s*$/.test(map.trim());
}

/** The host facts for `root`; fields in `overrides` replace what would be read. */
export async function readHostFacts(root: string, overrides: Partial<HostFacts> = {}): Promise<HostFacts> {
  const has = (k: keyof HostFacts) => Object.prototype.hasOwnProperty.call(overrides, k);
  const virt = has('virtualization') ? (overrides.virtualization ?? null) : await virtualization(root);

  const hostname = has('hostname')
    ? (overrides.hostname ?? null)
    : root === '/'
      ? osHostname()
      : ((await readText(hostPath(root, '/etc/hostname')))?.split('\n')[0].trim() ?? null);

  const kernelVersionUnderRoot = root === '/' ? null : await readText(hostPath(root, '/proc/sys/kernel/osrelease'));
  return {
    hostname,
    machineId: has('machineId') ? (overrides.machineId ?? null) : parseMachineId(await readText(hostPath(root, '/etc/machine-id'), 64)),
    kernelCommandLine: has('kernelCommandLine') ? (overrides.kernelCommandLine ?? null) : await kernelCommandLine(root, virt),
    kernelVersion: has('kernelVersion') ? (overrides.kernelVersion ?? null) : (kernelVersionUnderRoot?.trim() ?? release()),
    architecture: has('architecture') ? (overrides.architecture ?? null) : systemdArchitecture(machine()),
    virtualization: virt,
    privateUsers: has('privateUsers') ? (overrides.privateUsers ?? null) : await privateUsers(root),
    firmware: has('firmware') ? (overrides.firmware ?? null) : await firmware(root),
  };
}
