// The link-config model against the real thing: for each configuration, real .link files and drop-ins in the
// real search path, a fresh veth made the way the pre-v1.20.1 VPC CNI makes it, the model's verdict, and then
// `udevadm test-builtin net_setup_link` applying the policy for real. linkFile, MACAddressPolicy and whether the
// MAC changed must agree (and the exact new MAC, when the model can name it).
//
// Needs root and udevadm 252. Changes host state (files in /etc, /run, /usr/local/lib and /usr/lib
// systemd/network, namespaces, veths) and restores all of it after every test, failing if anything differs.
// Run: flock /run/lock/vethwatch-host.lock npx vitest run --config vitest.host.config.ts agent/linkconfig
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, machine, release } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CASES, DEBIAN_STOCK_99_DEFAULT, ETC, LOCAL, RUN, STOCK, USR, type CaseContext } from './testSupport/differentialCases';
import { systemdArchitecture } from './hostFacts';
import { explainLink, loadLinkConfig, newVethFacts, readLiveDeviceFacts, resolveLink } from './index';
import { FileGuard } from './testSupport/fileGuard';
import { createCniVeth, destroyCniVeth, readSysfs, runNetSetupLink, type CniVeth } from './testSupport/vethProbe';

const CMDLINE_WORD = /^[A-Za-z0-9._,:+-]+(=[A-Za-z0-9._,:+/-]*)?$/;

function preflight(): void {
  if (process.getuid?.() !== 0) throw new Error('the udev differential test needs root (it writes link files and creates veths)');
  let version: string;
  try {
    version = execFileSync('udevadm', ['--version'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`udevadm is not available (${(e as Error).message}); install udev to run this test`);
  }
  if (version !== '252') throw new Error(`udevadm ${version} found; this test checks the model of udev 252`);
}

function cmdlineWords(): { pid1Word: string | null; procWord: string | null } {
  const pid1 = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter((w) => w !== '');
  const proc = readFileSync('/proc/cmdline', 'utf8').trim().split(/\s+/);
  const usable = (w: string) => CMDLINE_WORD.test(w) && !w.startsWith('rd.');
  return {
    pid1Word: pid1.find((w) => usable(w) && !proc.includes(w)) ?? null,
    procWord: proc.find((w) => usable(w) && !pid1.includes(w)) ?? null,
  };
}

function detectVirt(): string {
  try {
    return execFileSync('systemd-detect-virt', { encoding: 'utf8' }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '').trim() || 'none';
  }
}

describe('link-file resolution agrees with real udev 252', () => {
  let guard: FileGuard | null = null;
  const veths: CniVeth[] = [];
  const restoreOnExit = () => guard?.restore();

  beforeAll(() => {
    preflight();
    guard = new FileGuard(
      [ETC, RUN, path.dirname(LOCAL), STOCK],
      ['/etc/systemd', '/run/systemd', path.dirname(path.dirname(LOCAL)), USR],
    );
    process.once('exit', restoreOnExit);
  });

  beforeEach(() => {
    // Start every case from Debian's stock state: no local link files, the stock 99-default.link.
    for (const dir of [ETC, RUN, LOCAL]) rmSync(dir, { recursive: true, force: true });
    mkdirSync(ETC, { recursive: true });
    if (readFileSync(STOCK, 'utf8') !== DEBIAN_STOCK_99_DEFAULT) writeFileSync(STOCK, DEBIAN_STOCK_99_DEFAULT);
  });

  afterEach(async () => {
    for (const v of veths.splice(0)) await destroyCniVeth(v);
    guard?.restore();
    expect(guard?.verify() ?? ['no guard']).toEqual([]);
  });

  afterAll(async () => {
    for (const v of veths.splice(0)) await destroyCniVeth(v);
    guard?.restore();
    process.removeListener('exit', restoreOnExit);
    expect(guard?.verify() ?? ['no guard']).toEqual([]);
  });

  it('has at least 25 configurations', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const veth = await createCniVeth(c.hostMac ? { hostMac: c.hostMac } : {});
    veths.push(veth);
    expect(readSysfs(veth.ifname, 'addr_assign_type')).toBe(c.hostMac ? '3' : '1');

    const arch = systemdArchitecture(machine()) ?? 'x86-64';
    const ctx: CaseContext = {
      ifname: veth.ifname,
      mac: readSysfs(veth.ifname, 'address'),
      hostname: hostname(),
      machineId: readFileSync('/etc/machine-id', 'utf8').trim(),
      release: release(),
      architecture: arch,
      otherArchitecture: arch === 'arm64' ? 'x86-64' : 'arm64',
      virtualization: detectVirt(),
      ...cmdlineWords(),
    };
    if (c.stockContent !== undefined) writeFileSync(STOCK, c.stockContent);
    for (const f of c.files(ctx)) {
      mkdirSync(path.dirname(f.path), { recursive: true });
      if ('symlink' in f) symlinkSync(f.symlink, f.path);
      else writeFileSync(f.path, f.content);
    }

    const config = await loadLinkConfig('/', { systemdVersion: 252 });
    const facts = await readLiveDeviceFacts(veth.ifname);
    const verdict = resolveLink(config, facts);
    const { newMac } = explainLink(config, facts);

    const udev = await runNetSetupLink(veth.ifname);
    const context = `\n--- udev said ---\n${udev.output}\n--- model ---\n${JSON.stringify({ verdict, newMac, candidates: config.candidates.map((x) => [x.path, x.status]) }, null, 1)}`;

    expect(verdict.linkFile, `linkFile${context}`).toBe(udev.linkFile);
    if (udev.linkFile === null) expect(verdict.macAddressPolicy, context).toBeNull();
    else expect(udev.policies, `macAddressPolicy${context}`).toContain(verdict.macAddressPolicy);
    expect(verdict.udevRewritesMac, `udevRewritesMac${context}`).toBe(udev.macAfter !== udev.macBefore);
    if (newMac !== null) expect(udev.macAfter, `predicted MAC${context}`).toBe(newMac);
    if (udev.appliedMac !== null && newMac !== null) expect(udev.appliedMac).toBe(newMac);

    if (c.expect) {
      const e = c.expect(ctx);
      expect({ linkFile: udev.linkFile, rewrites: udev.macAfter !== udev.macBefore }, `the case no longer exercises what it is for${context}`).toEqual({
        linkFile: e.linkFile,
        rewrites: e.rewrites,
      });
      expect(verdict.macAddressPolicy).toBe(e.policy);
    }

    // The probe veth the agent reports on (newVethFacts) must be judged like this real pre-v1.20.1 veth.
    if (!c.deviceSpecific && !c.hostMac) {
      const probe = resolveLink(config, newVethFacts('eni'));
      expect({ ...probe }, `newVethFacts disagrees with the live veth${context}`).toEqual({ ...verdict });
    }
  });
});
