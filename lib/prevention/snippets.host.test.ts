// Each prevention snippet, applied by the real tool its provisioner uses under a temporary root: cloud-init's
// schema check and its own write_files, ansible-playbook --check then a real local run, the EKS/Karpenter MIME user
// data parsed by Python's email package with its shell part run by sh, kops fileAssets from the parsed YAML. Then
// the agent's link resolver reads each resulting root, and real udev (`udevadm test-builtin net_setup_link`) on a
// fresh CNI-style veth sees MACAddressPolicy=none with the drop-in installed into the real /etc/systemd/network
// for the duration of the test (restored in every outcome).
//
// Needs root, udevadm 252, python3, cloud-init and ansible-core (apt-get install -y cloud-init ansible-core).
// Run: flock /run/lock/vethwatch-host.lock npx vitest run --config vitest.host.config.ts lib/prevention
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadLinkConfig, newVethFacts, readLiveDeviceFacts, resolveLink } from '../../agent/linkconfig';
import { DEBIAN_STOCK_99_DEFAULT, ETC, STOCK } from '../../agent/linkconfig/testSupport/differentialCases';
import { FileGuard } from '../../agent/linkconfig/testSupport/fileGuard';
import { createCniVeth, destroyCniVeth, runNetSetupLink, type CniVeth } from '../../agent/linkconfig/testSupport/vethProbe';
import { DROP_IN_CONTENT, DROP_IN_RELPATH } from '../remediation/dropIn';
import { buildSnippet, PREVENTION_DIR, PREVENTION_PATH, type SnippetKind } from './snippets';
import { cloudInitWriteFiles, parseMime, parseYaml, runShellPart, writeUnder } from './testSupport/apply';

const exec = promisify(execFile);
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const bases: string[] = [];
/** base/ holds helper files, base/root/ is the node's filesystem as the snippet leaves it. */
function tempRoot(): { base: string; root: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'vw-prevent-host-'));
  bases.push(base);
  const root = path.join(base, 'root');
  mkdirSync(root);
  return { base, root };
}

/** What each snippet left under its root, for the resolver and the byte-identity check. */
const results = new Map<SnippetKind, string>();

async function resolvesNone(root: string): Promise<void> {
  // The stock 99-default.link the drop-in belongs to, as Debian ships it.
  writeUnder(root, '/usr/lib/systemd/network/99-default.link', DEBIAN_STOCK_99_DEFAULT);
  const verdict = resolveLink(await loadLinkConfig(root, { systemdVersion: 252 }), newVethFacts('eni'));
  expect(verdict).toMatchObject({ linkFile: '/usr/lib/systemd/network/99-default.link', macAddressPolicy: 'none', udevRewritesMac: false });
  expect(verdict.dropIns).toEqual([PREVENTION_PATH]);
}

function written(root: string): string {
  const file = path.join(root, DROP_IN_RELPATH);
  expect(statSync(file).mode & 0o777).toBe(0o644);
  return readFileSync(file, 'utf8');
}

async function mimeShellPart(text: string): Promise<{ parts: Array<{ contentType: string; body: string }> }> {
  const mime = await parseMime(text);
  expect(mime.type).toBe('multipart/mixed');
  expect(mime.defects).toEqual([]);
  return mime;
}

describe('prevention snippets applied by the real tools', () => {
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('needs root (ansible sets owner root, udev applies the policy)');
    // Ansible writes ~/.ansible/tmp even for --version: give it a throwaway HOME.
    const home = tempRoot().base;
    for (const [cmd, args] of [['cloud-init', ['--version']], ['ansible-playbook', ['--version']], ['python3', ['--version']], ['udevadm', ['--version']]] as const) {
      await exec(cmd, [...args], { env: { ...process.env, HOME: home } }).catch((e: Error) => {
        throw new Error(`${cmd} is missing (${e.message}): apt-get install -y cloud-init ansible-core`);
      });
    }
  });

  afterAll(() => {
    for (const b of bases.splice(0)) rmSync(b, { recursive: true, force: true });
  });

  it('cloud-init: schema-valid #cloud-config; cloud-init write_files writes the drop-in; runcmd only reloads', async () => {
    const { base, root } = tempRoot();
    const text = buildSnippet('cloud-init').text;
    const file = path.join(base, 'user-data.yaml');
    writeFileSync(file, text);
    const schema = await exec('cloud-init', ['schema', '--config-file', file]);
    expect(schema.stdout).toMatch(/Valid cloud-config/);
    // Mutated: the real schema check is not a rubber stamp.
    writeFileSync(file, text.replace("permissions: '0644'", 'permissions: [0644]'));
    await expect(exec('cloud-init', ['schema', '--config-file', file])).rejects.toThrow(/permissions/);

    const config = parseYaml(text) as Obj;
    await cloudInitWriteFiles(config, root);
    expect(config.runcmd).toEqual([['udevadm', 'control', '--reload']]);
    results.set('cloud-init', written(root));
    await resolvesNone(root);
  });

  it('Ansible: --check changes nothing, then a real local run writes the drop-in and notifies the reload handler', async () => {
    const { base, root } = tempRoot();
    const playbook = path.join(base, 'play.yml');
    writeFileSync(playbook, buildSnippet('ansible').text);
    const args = ['-i', 'localhost,', '-c', 'local', '-e', JSON.stringify({ vethwatch_root: root }), playbook];
    const env = { ...process.env, HOME: base, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(base, 'ansible-tmp'), ANSIBLE_REMOTE_TEMP: path.join(base, 'ansible-remote-tmp'), ANSIBLE_HOME: path.join(base, 'ansible-home') };
    const check = await exec('ansible-playbook', ['--check', ...args], { env, timeout: 120_000 });
    expect(check.stdout).toMatch(/failed=0/);
    expect(existsSync(path.join(root, DROP_IN_RELPATH))).toBe(false);

    const run = await exec('ansible-playbook', args, { env, timeout: 120_000 });
    expect(run.stdout).toMatch(/changed=2 .*failed=0/);
    // The handler ran (and skipped the live reload, because the target is an image root, not this host).
    expect(run.stdout).toMatch(/RUNNING HANDLER \[Reload udev rules\][\s\S]*skipping: \[localhost\]/);
    results.set('ansible', written(root));
    await resolvesNone(root);

    const again = await exec('ansible-playbook', args, { env, timeout: 120_000 });
    expect(again.stdout).toMatch(/changed=0 .*failed=0/);
  });

  it.each([['eks-al2023-nodeadm'], ['eks-bootstrap-sh']] as const)('%s: MIME user data parses; its first shell part writes the drop-in', async (kind) => {
    const { root } = tempRoot();
    const mime = await mimeShellPart(buildSnippet(kind).text);
    if (kind === 'eks-al2023-nodeadm') {
      expect(mime.parts.map((p) => p.contentType)).toEqual(['text/x-shellscript', 'application/node.eks.aws']);
      expect(parseYaml(mime.parts[1].body)).toMatchObject({ apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig', spec: { cluster: { name: 'my-cluster' } } });
    } else {
      expect(mime.parts.map((p) => p.contentType)).toEqual(['text/x-shellscript', 'text/x-shellscript']);
      expect(mime.parts[1].body).toContain('/etc/eks/bootstrap.sh my-cluster');
    }
    await runShellPart(mime.parts[0].body, root);
    results.set(kind, written(root));
    await resolvesNone(root);
  });

  it('Karpenter: an EC2NodeClass v1 whose userData is MIME with the shell part', async () => {
    const { root } = tempRoot();
    const nc = parseYaml(buildSnippet('karpenter').text) as Obj;
    expect(nc.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(nc.kind).toBe('EC2NodeClass');
    for (const key of ['amiSelectorTerms', 'role', 'subnetSelectorTerms', 'securityGroupSelectorTerms', 'userData']) expect(nc.spec, key).toHaveProperty(key);
    const mime = await mimeShellPart(nc.spec.userData);
    expect(mime.parts.map((p) => p.contentType)).toEqual(['text/x-shellscript']);
    await runShellPart(mime.parts[0].body, root);
    results.set('karpenter', written(root));
    await resolvesNone(root);
  });

  it('kops: an InstanceGroup whose fileAssets write the drop-in and whose hook only reloads udev', async () => {
    const { root } = tempRoot();
    const ig = parseYaml(buildSnippet('kops').text) as Obj;
    expect(ig).toMatchObject({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'InstanceGroup', spec: { role: 'Node' } });
    for (const a of ig.spec.fileAssets) writeUnder(root, a.path, a.content);
    expect(ig.spec.hooks).toEqual([{ name: 'vethwatch-udev-reload.service', roles: ['Node'], before: ['kubelet.service'], manifest: 'Type=oneshot\nExecStart=udevadm control --reload\n' }]);
    results.set('kops', written(root));
    await resolvesNone(root);
  });

  it('shell: writes the drop-in under VETHWATCH_ROOT', async () => {
    const { root } = tempRoot();
    await runShellPart(buildSnippet('shell').text, root);
    results.set('shell', written(root));
    await resolvesNone(root);
  });

  it('every snippet wrote the same bytes: the drop-in remediation writes', () => {
    expect([...results.keys()].sort()).toEqual(['ansible', 'cloud-init', 'eks-al2023-nodeadm', 'eks-bootstrap-sh', 'karpenter', 'kops', 'shell']);
    for (const [kind, content] of results) expect(content, kind).toBe(DROP_IN_CONTENT);
  });

  describe('real udev', () => {
    let guard: FileGuard | null = null;
    const veths: CniVeth[] = [];
    const restoreOnExit = () => guard?.restore();

    beforeAll(() => {
      guard = new FileGuard([ETC, STOCK], ['/etc/systemd']);
      process.once('exit', restoreOnExit);
    });
    afterEach(async () => {
      for (const v of veths.splice(0)) await destroyCniVeth(v);
      guard?.restore();
      expect(guard?.verify() ?? ['no guard']).toEqual([]);
    });
    afterAll(() => {
      guard?.restore();
      process.removeListener('exit', restoreOnExit);
    });

    function stockOnly(): void {
      rmSync(PREVENTION_DIR, { recursive: true, force: true });
      if (readFileSync(STOCK, 'utf8') !== DEBIAN_STOCK_99_DEFAULT) writeFileSync(STOCK, DEBIAN_STOCK_99_DEFAULT);
    }

    it('without the drop-in, udev rewrites a new CNI veth (the test can see the problem)', async () => {
      stockOnly();
      const veth = await createCniVeth();
      veths.push(veth);
      const udev = await runNetSetupLink(veth.ifname);
      expect(udev.policies).toEqual(['persistent']);
      expect(udev.macAfter).not.toBe(udev.macBefore);
    });

    it('with the file the snippets wrote in /etc, udev and the resolver both say MACAddressPolicy=none', async () => {
      stockOnly();
      const { root } = tempRoot();
      await runShellPart(buildSnippet('shell').text, root);
      mkdirSync(PREVENTION_DIR, { recursive: true });
      writeFileSync(PREVENTION_PATH, readFileSync(path.join(root, DROP_IN_RELPATH)));
      const veth = await createCniVeth();
      veths.push(veth);
      const verdict = resolveLink(await loadLinkConfig('/', { systemdVersion: 252 }), await readLiveDeviceFacts(veth.ifname));
      const udev = await runNetSetupLink(veth.ifname);
      expect(udev.linkFile).toBe(STOCK);
      expect(udev.policies).toEqual(['none']);
      expect(udev.macAfter).toBe(udev.macBefore);
      expect(verdict).toMatchObject({ linkFile: STOCK, macAddressPolicy: 'none', udevRewritesMac: false, dropIns: [PREVENTION_PATH] });
    });
  });
});
