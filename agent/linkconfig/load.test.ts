// loadLinkConfig + resolveLink on throw-away host trees built from real link files (test/fixtures/link-files).
import { afterEach, describe, expect, it } from 'vitest';
import { linkVerdictSchema } from '../../lib/report/schema';
import { newVethFacts } from './deviceFacts';
import { RootDirError, VethPrefixError } from './errors';
import { explainLink, loadLinkConfig, resolveLink } from './index';
import { FIXTURE_HOST, Tree } from './testSupport/tree';
import type { HostFacts } from './types';

const DEB = 'debian12-udev-252.39-99-default.link';
const E = '/etc/systemd/network';
const U = '/usr/lib/systemd/network';

let trees: Tree[] = [];
const tree = () => {
  const t = new Tree();
  trees.push(t);
  return t;
};
afterEach(() => {
  for (const t of trees) t.remove();
  trees = [];
});

async function verdictFor(t: Tree, systemdVersion: number | null = 252, host: Partial<HostFacts> = FIXTURE_HOST) {
  const config = await loadLinkConfig(t.root, { systemdVersion, host });
  const verdict = resolveLink(config, newVethFacts('eni'));
  expect(linkVerdictSchema.safeParse(verdict).success).toBe(true);
  return { config, verdict };
}

describe('loadLinkConfig + resolveLink on fixture trees', () => {
  it('Debian 12 (merged /usr): the stock file is named under /usr/lib and rewrites new veths', async () => {
    const t = tree().mergedUsr().fixture(DEB, `${U}/99-default.link`);
    const { config, verdict } = await verdictFor(t);
    expect(config.dirs).toEqual([E, '/run/systemd/network', '/usr/local/lib/systemd/network', U]);
    expect(verdict).toEqual({
      linkFile: `${U}/99-default.link`,
      dropIns: [],
      macAddressPolicy: 'persistent',
      macAddress: null,
      udevRewritesMac: true,
      policySource: `${U}/99-default.link`,
    });
    expect(explainLink(config, newVethFacts('eni')).newMac).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
  });

  it('split /usr: a real /lib/systemd/network is searched last and named as /lib', async () => {
    const t = tree().fixture(DEB, '/lib/systemd/network/99-default.link');
    const { config, verdict } = await verdictFor(t);
    expect(config.dirs.at(-1)).toBe('/lib/systemd/network');
    expect(verdict.linkFile).toBe('/lib/systemd/network/99-default.link');
  });

  it('the EKS AL2023 drop-in turns the policy to none and is listed', async () => {
    const dropIn = `${E}/99-default.link.d/99-no-policy.conf`;
    const t = tree().mergedUsr().fixture(DEB, `${U}/99-default.link`).fixture('eks-ami-al2023-99-default.link.d-99-no-policy.conf', dropIn);
    const { verdict } = await verdictFor(t);
    expect(verdict).toMatchObject({ linkFile: `${U}/99-default.link`, dropIns: [dropIn], macAddressPolicy: 'none', udevRewritesMac: false, policySource: dropIn });
  });

  it('names the file that sets MACAddressPolicy=: the last assignment wins, a drop-in without one does not', async () => {
    const first = `${E}/99-default.link.d/10-none.conf`;
    const other = `${E}/99-default.link.d/20-mtu.conf`;
    const t = tree()
      .mergedUsr()
      .fixture(DEB, `${U}/99-default.link`)
      .file(first, '[Link]\nMACAddressPolicy=none\n')
      .file(other, '[Link]\nMTUBytes=9001\n');
    expect((await verdictFor(t)).verdict).toMatchObject({ dropIns: [first, other], macAddressPolicy: 'none', policySource: first });
    // Nothing sets it: udev's default, named as no file.
    const bare = tree().mergedUsr().file(`${U}/99-default.link`, '[Match]\nOriginalName=*\n[Link]\nNamePolicy=kernel\n');
    expect((await verdictFor(bare)).verdict).toMatchObject({ macAddressPolicy: 'none', policySource: null });
  });

  it("Flatcar's 50-veth.link sorts before 99-default.link and wins", async () => {
    const t = tree().mergedUsr().fixture(DEB, `${U}/99-default.link`).fixture('flatcar-init-50-veth.link', `${U}/50-veth.link`);
    expect((await verdictFor(t)).verdict).toMatchObject({ linkFile: `${U}/50-veth.link`, macAddressPolicy: 'none', udevRewritesMac: false });
  });

  it("Bottlerocket's and RHEL 10's defaults keep veth MACs", async () => {
    for (const f of ['bottlerocket-80-release.link', 'rhel10-systemd-rhel10-99-default.link']) {
      const t = tree().fixture(f, `${U}/99-default.link`);
      expect((await verdictFor(t)).verdict, f).toMatchObject({ macAddressPolicy: 'none', udevRewritesMac: false });
    }
  });

  it('Kind= exists from 251: on Ubuntu 22.04 (249) a Kind=veth-only file has an empty [Match] and is ignored', async () => {
    const t = tree()
      .mergedUsr()
      .fixture('ubuntu2204-RECONSTRUCTED-499-bytes.link', `${U}/99-default.link`)
      .file(`${E}/10-veth.link`, '[Match]\nKind=veth\n[Link]\nMACAddressPolicy=none\n');
    const on249 = await verdictFor(t, 249);
    expect(on249.verdict).toMatchObject({ linkFile: `${U}/99-default.link`, macAddressPolicy: 'persistent', udevRewritesMac: true });
    expect(on249.config.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['link-file-syntax', 'link-file-empty-match']));
    expect((await verdictFor(t, 252)).verdict).toMatchObject({ linkFile: `${E}/10-veth.link`, macAddressPolicy: 'none' });
  });

  it('a file without [Match] (the v242-era 99-default.link) is ignored from 245 on, applied to everything before', async () => {
    const t = tree().fixture('systemd-v242-era-99-default.link.body-as-quoted-in-flannel-1155', `${U}/99-default.link`);
    expect((await verdictFor(t, 252)).verdict).toMatchObject({ linkFile: null, macAddressPolicy: null, udevRewritesMac: false });
    expect((await verdictFor(t, 244)).verdict).toMatchObject({ linkFile: `${U}/99-default.link`, macAddressPolicy: 'persistent', udevRewritesMac: true });
    // Before 242, persistent did not cover devices without ID_NET_NAME_*: a veth kept its MAC.
    expect((await verdictFor(t, 241)).verdict).toMatchObject({ macAddressPolicy: 'persistent', udevRewritesMac: false });
  });

  it('drop-ins are not read before 248', async () => {
    const t = tree().fixture('ubuntu2204-body-as-quoted-in-vpc-cni-3155.link', `${U}/99-default.link`).fixture('eks-ami-al2023-99-default.link.d-99-no-policy.conf', `${E}/99-default.link.d/x.conf`);
    expect((await verdictFor(t, 247)).verdict).toMatchObject({ dropIns: [], macAddressPolicy: 'persistent' });
    expect((await verdictFor(t, 249)).verdict).toMatchObject({ macAddressPolicy: 'none' });
  });

  it('masks: an absolute /dev/null symlink (no device node needed) and an empty file', async () => {
    const a = tree().mergedUsr().fixture(DEB, `${U}/99-default.link`).symlink(`${E}/99-default.link`, '/dev/null');
    const ra = await verdictFor(a);
    expect(ra.verdict.linkFile).toBeNull();
    expect(ra.config.candidates).toEqual([expect.objectContaining({ path: `${E}/99-default.link`, status: 'masked' })]);
    const b = tree().mergedUsr().fixture(DEB, `${U}/99-default.link`).file('/run/systemd/network/99-default.link', '');
    expect((await verdictFor(b)).verdict.linkFile).toBeNull();
  });

  it('a dangling symlink or a directory still takes its name (hiding later files) and is a finding', async () => {
    const t = tree()
      .fixture(DEB, `${U}/99-default.link`)
      .symlink(`${E}/99-default.link`, '/nonexistent.link')
      .fixture('flatcar-init-50-veth.link', `${U}/50-veth.link`)
      .dir(`${E}/50-veth.link`);
    const { config, verdict } = await verdictFor(t);
    expect(verdict.linkFile).toBeNull();
    expect(config.candidates.map((c) => c.status)).toEqual(['parse-error', 'unreadable']);
    expect(config.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['link-file-parse-error', 'link-file-unreadable']));
  });

  it('malformed files become findings, never exceptions', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const t = tree()
      .fixture(DEB, `${U}/99-default.link`)
      .file(`${E}/10-garbage.link`, garbage)
      .file(`${E}/11-header.link`, '[Match\nOriginalName=*\n')
      .file(`${E}/12-junk.link`, 'no section\n[Match]\nnot a key\n=v\nOriginalName=a/b\n[Link]\nMACAddressPolicy=sometimes\n');
    const { config, verdict } = await verdictFor(t);
    expect(verdict).toMatchObject({ linkFile: `${U}/99-default.link`, macAddressPolicy: 'persistent' });
    const byPath = Object.fromEntries(config.candidates.map((c) => [c.name, c.status]));
    expect(byPath).toEqual({ '10-garbage.link': 'parse-error', '11-header.link': 'parse-error', '12-junk.link': 'empty-match', '99-default.link': 'loaded' });
    const messages = config.findings.map((f) => f.message).join('\n');
    expect(messages).toContain("Invalid section header '[Match'");
    expect(messages).toContain('Failed to parse MAC address policy, ignoring: sometimes');
    expect(messages).toContain('Interface name is not valid or too long, ignoring assignment: a/b');
  });

  it('follows a symlinked search directory under the root, and survives a symlink loop', async () => {
    const t = tree().fixture(DEB, `${U}/99-default.link`).fixture('flatcar-init-50-veth.link', '/opt/net/50-veth.link').symlink(E, '/opt/net').symlink('/run/systemd/network', 'network');
    const { config, verdict } = await verdictFor(t);
    expect(config.dirs[0]).toBe('/opt/net');
    expect(verdict.linkFile).toBe('/opt/net/50-veth.link');
  });

  it('conditions use the host facts and are evaluated when the file is loaded', async () => {
    const t = tree()
      .fixture(DEB, `${U}/99-default.link`)
      .file(`${E}/10-a.link`, '[Match]\nOriginalName=*\nHost=other-host\n[Link]\nMACAddressPolicy=random\n')
      .file(`${E}/20-b.link`, '[Match]\nVirtualization=vm\nKernelVersion=>=6\n[Link]\nMACAddressPolicy=none\n');
    const { config, verdict } = await verdictFor(t);
    expect(verdict.linkFile).toBe(`${E}/20-b.link`);
    expect(config.candidates[0].status).toBe('conditions-unmet');
    const unknown = await verdictFor(t, 252, { ...FIXTURE_HOST, virtualization: null });
    expect(unknown.verdict.linkFile).toBe(`${U}/99-default.link`);
    expect(unknown.config.findings.map((f) => f.code)).toContain('host-fact-unknown');
  });

  it('net.naming-scheme=v240 on the command line stops persistent MACs for veths; no machine ID does too', async () => {
    const t = tree().fixture(DEB, `${U}/99-default.link`);
    const v240 = await verdictFor(t, 252, { ...FIXTURE_HOST, kernelCommandLine: 'ro net.naming_scheme=v240' });
    expect(v240.verdict).toMatchObject({ macAddressPolicy: 'persistent', udevRewritesMac: false });
    const noId = await verdictFor(t, 252, { ...FIXTURE_HOST, machineId: null });
    expect(noId.verdict.udevRewritesMac).toBe(false);
    expect(noId.config.findings.map((f) => f.code)).toContain('machine-id-missing');
  });

  it('an unknown systemd version is modelled as 252 and says so', async () => {
    const t = tree().fixture(DEB, `${U}/99-default.link`);
    const { config } = await verdictFor(t, null);
    expect(config.modelVersion).toBe(252);
    expect(config.findings.map((f) => f.code)).toContain('systemd-version-unknown');
  });

  it('rejects a bad root and a bad veth prefix with typed errors', async () => {
    await expect(loadLinkConfig('relative/dir', { systemdVersion: 252 })).rejects.toBeInstanceOf(RootDirError);
    await expect(loadLinkConfig('/nonexistent-vethwatch-root', { systemdVersion: 252 })).rejects.toBeInstanceOf(RootDirError);
    expect(() => newVethFacts('')).toThrow(VethPrefixError);
    expect(() => newVethFacts('toolong')).toThrow(VethPrefixError);
    expect(newVethFacts('eni').ifname).toMatch(/^eni[0-9a-f]{11}$/);
  });
});
