import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectCniConfig, vethPrefixFromConflist } from './cniConfig';

const conflist = (prefix: unknown) =>
  JSON.stringify({ cniVersion: '0.4.0', name: 'aws-cni', plugins: [{ name: 'aws-cni', type: 'aws-cni', vethPrefix: prefix, mtu: '9001' }, { type: 'portmap', capabilities: { portMappings: true } }] });

describe('vethPrefixFromConflist', () => {
  it('reads the aws-cni plugin prefix', () => {
    expect(vethPrefixFromConflist(conflist('vlan'))).toEqual({ prefix: 'vlan' });
  });
  it('gives null (default) when the prefix is empty or absent', () => {
    expect(vethPrefixFromConflist(conflist(''))).toEqual({ prefix: null });
    expect(vethPrefixFromConflist(JSON.stringify({ plugins: [{ type: 'aws-cni' }] }))).toEqual({ prefix: null });
  });
  it('explains what is wrong with a malformed file', () => {
    expect(vethPrefixFromConflist('{"plugins": [')).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(vethPrefixFromConflist('{"plugins": 3}')).toMatchObject({ error: expect.stringMatching(/plugins/) });
    expect(vethPrefixFromConflist(JSON.stringify({ plugins: [{ type: 'bridge' }] }))).toMatchObject({ error: expect.stringMatching(/aws-cni/) });
    expect(vethPrefixFromConflist(conflist('toolong'))).toMatchObject({ error: expect.stringMatching(/1-4/) });
  });
});

describe('collectCniConfig under --root', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vwt-cni-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const put = async (name: string, text: string) => {
    await mkdir(path.join(root, 'etc/cni/net.d'), { recursive: true });
    await writeFile(path.join(root, 'etc/cni/net.d', name), text);
  };

  it('defaults to eni with no config directory and no finding', async () => {
    expect(await collectCniConfig(root)).toEqual({ vethPrefix: 'eni', configFile: null, first: null, findings: [] });
  });

  it('uses the first aws conflist, as the runtime does', async () => {
    await put('10-aws.conflist', conflist('abc'));
    await put('20-aws.conflist', conflist('xyz'));
    await put('05-other.conflist', conflist('no'));
    // 05-other.conflist is what the runtime loads: it names the CNI, whatever the aws files say.
    expect(await collectCniConfig(root)).toEqual({
      vethPrefix: 'abc',
      configFile: '/etc/cni/net.d/10-aws.conflist',
      first: { file: '/etc/cni/net.d/05-other.conflist', kind: 'aws-vpc-cni', pluginType: 'aws-cni' },
      findings: [],
    });
  });

  it('names the CNI from the first config file by name, .conf and .json included', async () => {
    await put('10-flannel.conflist', JSON.stringify({ name: 'cbr0', plugins: [{ type: 'flannel', delegate: { isDefaultGateway: true } }, { type: 'portmap' }] }));
    await put('05-bridge.conf', JSON.stringify({ name: 'mynet', type: 'bridge', bridge: 'cni0' }));
    await put('.00-hidden.conflist', JSON.stringify({ plugins: [{ type: 'calico' }] }));
    await put('01-notes.txt', 'not a config');
    const c = await collectCniConfig(root);
    expect(c.first).toEqual({ file: '/etc/cni/net.d/05-bridge.conf', kind: 'bridge', pluginType: 'bridge' });
    expect(c.configFile).toBeNull();
  });

  it('reports a malformed conflist as a finding and falls back', async () => {
    await put('10-aws.conflist', '{ this is not json');
    const c = await collectCniConfig(root);
    expect(c.vethPrefix).toBe('eni');
    expect(c.configFile).toBeNull();
    expect(c.findings).toEqual([expect.objectContaining({ code: 'cni-config-malformed', severity: 'warning', path: '/etc/cni/net.d/10-aws.conflist' })]);
  });

  it('skips a malformed file for a later good one, keeping the finding', async () => {
    await put('10-aws.conflist', '[]');
    await put('11-aws.conflist', conflist('vlan'));
    const c = await collectCniConfig(root);
    expect(c).toMatchObject({ vethPrefix: 'vlan', configFile: '/etc/cni/net.d/11-aws.conflist' });
    expect(c.findings.map((f) => f.code)).toEqual(['cni-config-malformed']);
  });

  it('reports an unreadable conflist', async () => {
    if (process.getuid?.() === 0) {
      // root reads anything; a directory where a file should be is unreadable for everyone
      await mkdir(path.join(root, 'etc/cni/net.d/10-aws.conflist'), { recursive: true });
    } else {
      await put('10-aws.conflist', conflist('abc'));
      await chmod(path.join(root, 'etc/cni/net.d/10-aws.conflist'), 0);
    }
    const c = await collectCniConfig(root);
    expect(c.findings.map((f) => f.code)).toEqual(['cni-config-unreadable']);
    expect(c.vethPrefix).toBe('eni');
  });
});
