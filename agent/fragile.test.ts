import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLinkFiles, DEBIAN12_DEFAULT_LINK } from '../lib/report/fixtures';
import type { LinkFileInfo, LinkVerdict } from '../lib/report/schema';
import { assessFragility, fragilityInput, managedBy, type FragilityInput } from './fragile';
import { loadLinkConfig } from './linkconfig';
import { nodeVerdict } from './verdict';

const LINK = '/usr/lib/systemd/network/99-default.link';
const [stockFile] = buildLinkFiles('persistent');
const editedFile: LinkFileInfo = { ...stockFile, differsFromPackage: true, macAddressPolicy: 'none' };

function dropIn(p: string, policy: string | null, content: string | null = null): LinkFileInfo {
  return { ...stockFile, path: p, kind: 'dropin', dropInFor: '99-default.link', package: null, differsFromPackage: null, macAddressPolicy: policy, content };
}

const safeVerdict = (dropIns: string[] = []): LinkVerdict => ({ linkFile: LINK, dropIns, macAddressPolicy: 'none', macAddress: null, udevRewritesMac: false });

function input(over: Partial<FragilityInput>): FragilityInput {
  return {
    newVeth: safeVerdict(),
    files: [stockFile],
    machineIdMissing: false,
    rewritesWithMachineId: false,
    namingScheme: null,
    rewritesWithoutNamingScheme: false,
    namingSchemePersisted: false,
    ...over,
  };
}

describe('assessFragility', () => {
  it('the package-owned 99-default.link edited to none: names file, package, version and what undoes it', () => {
    const [fix, ...rest] = assessFragility(input({ files: [editedFile] }));
    expect(rest).toEqual([]);
    expect(fix).toMatchObject({ kind: 'package-edited', path: LINK, package: { name: 'udev', version: '252.39-1~deb12u2' } });
    expect(fix.undoneBy).toBe('the next upgrade or reinstall of udev restores MACAddressPolicy=persistent');
    expect(fix.message).toContain(`${LINK} (owned by udev 252.39-1~deb12u2) was edited in place`);
  });

  it('an edited file under /lib counts too; an unedited or unowned one does not', () => {
    const lib = { ...editedFile, path: '/lib/systemd/network/99-default.link' };
    expect(assessFragility(input({ newVeth: { ...safeVerdict(), linkFile: lib.path }, files: [lib] }))[0]?.kind).toBe('package-edited');
    expect(assessFragility(input({ files: [{ ...editedFile, differsFromPackage: false }] }))).toEqual([]);
    expect(assessFragility(input({ files: [{ ...editedFile, package: null, differsFromPackage: null }] }))).toEqual([]);
  });

  it('a durable /etc drop-in after the edit makes the edit harmless: not fragile', () => {
    const etc = dropIn('/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf', 'none');
    expect(assessFragility(input({ newVeth: safeVerdict([etc.path]), files: [editedFile, etc] }))).toEqual([]);
  });

  it('a /run drop-in is gone at reboot, unless a durable one would still give none', () => {
    const run = dropIn('/run/systemd/network/99-default.link.d/99-none.conf', 'none');
    const [fix] = assessFragility(input({ newVeth: safeVerdict([run.path]), files: [stockFile, run] }));
    expect(fix).toMatchObject({ kind: 'runtime-file', path: run.path });
    expect(fix.undoneBy).toContain('reboot');
    const etc = dropIn('/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf', 'none');
    expect(assessFragility(input({ newVeth: safeVerdict([etc.path, run.path]), files: [stockFile, etc, run] }))).toEqual([]);
  });

  it('an /etc file only when it says a configuration-management tool manages it', () => {
    const managed = dropIn('/etc/systemd/network/99-default.link.d/10-none.conf', 'none', '# Ansible managed\n[Link]\nMACAddressPolicy=none\n');
    const [fix] = assessFragility(input({ newVeth: safeVerdict([managed.path]), files: [stockFile, managed] }));
    expect(fix).toMatchObject({ kind: 'config-managed', path: managed.path });
    expect(fix.message).toContain('managed by Ansible');
    const plain = { ...managed, content: '[Link]\nMACAddressPolicy=none\n' };
    expect(assessFragility(input({ newVeth: safeVerdict([plain.path]), files: [stockFile, plain] }))).toEqual([]);
  });

  it('recognises the usual configuration-management headers, in the head of the file only', () => {
    expect(managedBy('# Ansible managed: do not edit')).toBe('Ansible');
    expect(managedBy('# This file is managed by Puppet. DO NOT EDIT.')).toBe('Puppet');
    expect(managedBy('# This file is managed by Chef, using the foo cookbook')).toBe('Chef');
    expect(managedBy('# This file is managed by Salt')).toBe('Salt');
    expect(managedBy('# source: salt://network/link.conf')).toBe('Salt');
    expect(managedBy('[Link]\nMACAddressPolicy=none\n')).toBeNull();
    expect(managedBy(`${'#\n'.repeat(2000)}# Ansible managed`)).toBeNull();
  });

  it('a missing machine ID, when it is what keeps persistent from applying', () => {
    const persistentInert: LinkVerdict = { ...safeVerdict(), macAddressPolicy: 'persistent' };
    const [fix] = assessFragility(input({ newVeth: persistentInert, machineIdMissing: true, rewritesWithMachineId: true }));
    expect(fix).toMatchObject({ kind: 'machine-id', path: '/etc/machine-id' });
    expect(assessFragility(input({ newVeth: persistentInert, machineIdMissing: true, rewritesWithMachineId: false }))).toEqual([]);
  });

  it('a kernel command line naming scheme only when the boot configuration does not keep it', () => {
    const persistentInert: LinkVerdict = { ...safeVerdict(), macAddressPolicy: 'persistent' };
    const on = { newVeth: persistentInert, namingScheme: 'v240', rewritesWithoutNamingScheme: true };
    expect(assessFragility(input(on))[0]).toMatchObject({ kind: 'kernel-cmdline', path: '/proc/cmdline' });
    expect(assessFragility(input({ ...on, namingSchemePersisted: true }))).toEqual([]);
  });

  it('nothing while new veths are at risk: that is worse than fragile', () => {
    expect(assessFragility(input({ newVeth: { ...safeVerdict(), macAddressPolicy: 'persistent', udevRewritesMac: true }, files: [stockFile] }))).toEqual([]);
  });

  it('the agent verdict ranks fragile below at-risk and above unknown', () => {
    const fix = assessFragility(input({ files: [editedFile] }));
    expect(nodeVerdict([{ arpStatus: 'ok' }], safeVerdict(), {}, fix)).toMatchObject({ state: 'fragile', reason: fix[0].message });
    expect(nodeVerdict([{ arpStatus: 'unknown' }], safeVerdict(), {}, fix).state).toBe('fragile');
    expect(nodeVerdict([{ arpStatus: 'mismatch' }], safeVerdict(), {}, fix).state).toBe('broken');
    expect(nodeVerdict([{ arpStatus: 'ok' }], safeVerdict(), {}, []).state).toBe('healthy');
  });
});

describe('fragilityInput (the linkconfig model, asked what the next boot changes)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vw-fragile-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'usr/lib/systemd/network'), { recursive: true });
  writeFileSync(path.join(root, 'usr/lib/systemd/network/99-default.link'), DEBIAN12_DEFAULT_LINK);
  mkdirSync(path.join(root, 'etc/default'), { recursive: true });

  it('stock policy without a machine ID: safe now, rewritten once the next boot writes one', async () => {
    const config = await loadLinkConfig(root, { systemdVersion: 252, host: { machineId: null, kernelCommandLine: '' } });
    const v: LinkVerdict = { ...safeVerdict(), macAddressPolicy: 'persistent' };
    const i = fragilityInput(root, config, 'eni', v, [stockFile]);
    expect(i).toMatchObject({ machineIdMissing: true, rewritesWithMachineId: true });
    expect(assessFragility(i).map((f) => f.kind)).toEqual(['machine-id']);
  });

  it('net.naming-scheme=v240 on the command line: fragile unless /etc/default/grub keeps it', async () => {
    const config = await loadLinkConfig(root, { systemdVersion: 252, host: { machineId: 'a'.repeat(32), kernelCommandLine: 'ro quiet net.naming-scheme=v240' } });
    const v: LinkVerdict = { ...safeVerdict(), macAddressPolicy: 'persistent' };
    expect(fragilityInput(root, config, 'eni', v, [stockFile])).toMatchObject({ namingScheme: 'v240', rewritesWithoutNamingScheme: true, namingSchemePersisted: false });
    writeFileSync(path.join(root, 'etc/default/grub'), 'GRUB_CMDLINE_LINUX="net.naming-scheme=v240"\n');
    expect(fragilityInput(root, config, 'eni', v, [stockFile]).namingSchemePersisted).toBe(true);
  });
});
