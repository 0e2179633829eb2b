import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures.testutil';
import { collectIpam, parseIpamJson } from './ipam';

describe('parseIpamJson', () => {
  it('maps pod IPs to pods from a real checkpoint (aws/amazon-vpc-cni-k8s#1958)', () => {
    const { pods, problems } = parseIpamJson(fixtureText('from-issues/vpc-cni-1958-ipam.json'));
    expect(problems).toEqual([]);
    expect(pods.size).toBe(4);
    expect(pods.get('192.168.12.15')).toEqual({ namespace: 'kube-system', name: 'coredns-85d5b4454c-l9pwn' });
  });

  it('skips allocations without pod metadata and says how many', () => {
    const { pods, problems } = parseIpamJson(JSON.stringify({ version: 'vpc-cni-ipam/1', allocations: [{ ipv4: '10.0.0.1' }, 7, { ipv6: 'fd00::1', metadata: { k8sPodNamespace: 'a', k8sPodName: 'b' } }] }));
    expect([...pods.keys()]).toEqual(['fd00::1']);
    expect(problems).toEqual(['2 allocation(s) without an IP or pod namespace/name were ignored']);
  });

  it('says why a malformed file is unusable', () => {
    expect(parseIpamJson('{"allocations":').problems[0]).toMatch(/not valid JSON/);
    expect(parseIpamJson('{"version":"vpc-cni-ipam/1"}').problems).toEqual(['no "allocations" array']);
  });
});

describe('collectIpam under --root', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vwt-ipam-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is silent when there is no checkpoint', async () => {
    expect(await collectIpam(root)).toEqual({ pods: new Map(), findings: [] });
  });

  it('turns a malformed checkpoint into a finding, not a crash', async () => {
    await mkdir(path.join(root, 'var/run/aws-node'), { recursive: true });
    await writeFile(path.join(root, 'var/run/aws-node/ipam.json'), '\u0000garbage');
    const r = await collectIpam(root);
    expect(r.pods.size).toBe(0);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'ipam-json-malformed', severity: 'warning', path: '/var/run/aws-node/ipam.json' })]);
  });

  it('reads the checkpoint under root', async () => {
    await mkdir(path.join(root, 'var/run/aws-node'), { recursive: true });
    await writeFile(path.join(root, 'var/run/aws-node/ipam.json'), fixtureText('from-issues/vpc-cni-1958-ipam.json'));
    expect((await collectIpam(root)).pods.get('192.168.5.118')?.name).toBe('coredns-85d5b4454c-ml29q');
  });
});
