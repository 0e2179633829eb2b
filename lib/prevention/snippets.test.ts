// Every snippet writes the one drop-in remediation writes, byte for byte, and reloads udev without ever triggering
// it. The file-writing parts are taken apart the way each provisioner would (YAML for Kubernetes objects and
// cloud-config, the shell part for user data, run by sh under a temporary root). The real-tool runs (cloud-init,
// ansible, udev) are in snippets.host.test.ts.
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT, DROP_IN_RELPATH } from '../remediation/dropIn';
import { parseKind, recommend } from './recommend';
import { buildSnippet, buildSnippets, MIME_BOUNDARY, preventionShell, PREVENTION_PATH, SNIPPET_KINDS } from './snippets';
import { parseYaml, runShellPart } from './testSupport/apply';

const dirs: string[] = [];
function tempRoot(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'vw-prevent-'));
  dirs.push(base);
  const root = path.join(base, 'root');
  mkdirSync(root);
  return root;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('prevention snippets', () => {
  it('has one snippet per provisioner, none of them triggering udev', () => {
    const all = buildSnippets();
    expect(all.map((s) => s.kind)).toEqual([...SNIPPET_KINDS]);
    for (const s of all) {
      expect(s.text, s.kind).not.toMatch(/trigger/);
      expect(s.text, s.kind).toMatch(/udevadm(,| ) ?control(,| ) ?--reload/);
      expect(s.text, s.kind).toContain(PREVENTION_PATH);
    }
    expect(PREVENTION_PATH).toBe(`/${DROP_IN_RELPATH}`);
  });

  it('the shell snippet writes the drop-in byte for byte under a root, mode 0644, and skips the reload there', async () => {
    const root = tempRoot();
    const { stdout, stderr } = await runShellPart(preventionShell(), root);
    expect(stdout + stderr).toBe('');
    const file = path.join(root, DROP_IN_RELPATH);
    expect(readFileSync(file, 'utf8')).toBe(DROP_IN_CONTENT);
    const { statSync } = await import('node:fs');
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('cloud-config, Ansible and kops carry the content exactly in their YAML', () => {
    const cc = parseYaml(buildSnippet('cloud-init').text) as Obj;
    expect(buildSnippet('cloud-init').text.startsWith('#cloud-config\n')).toBe(true);
    expect(cc.write_files).toEqual([{ path: PREVENTION_PATH, owner: 'root:root', permissions: '0644', content: DROP_IN_CONTENT }]);
    expect(cc.runcmd).toEqual([['udevadm', 'control', '--reload']]);

    const play = (parseYaml(buildSnippet('ansible').text) as Obj[])[0];
    const copy = play.tasks.find((t: Obj) => t['ansible.builtin.copy'])['ansible.builtin.copy'];
    expect(copy).toMatchObject({ dest: `{{ vethwatch_root }}${PREVENTION_PATH}`, content: DROP_IN_CONTENT, mode: '0644' });
    expect(play.handlers[0]['ansible.builtin.command']).toBe('udevadm control --reload');

    const ig = parseYaml(buildSnippet('kops').text) as Obj;
    expect(ig).toMatchObject({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'InstanceGroup' });
    expect(ig.spec.fileAssets).toEqual([{ name: 'vethwatch-mac-none', path: PREVENTION_PATH, roles: ['Node'], content: DROP_IN_CONTENT }]);
    expect(ig.spec.hooks[0].manifest).toBe('Type=oneshot\nExecStart=udevadm control --reload\n');
  });

  it('Karpenter userData is the MIME user data, as a string, in an EC2NodeClass v1', () => {
    const nc = parseYaml(buildSnippet('karpenter', { clusterName: 'prod' }).text) as Obj;
    expect(nc).toMatchObject({ apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', spec: { role: 'KarpenterNodeRole-prod', amiSelectorTerms: [{ alias: 'al2023@latest' }] } });
    expect(typeof nc.spec.userData).toBe('string');
    expect(nc.spec.userData).toContain(`boundary="${MIME_BOUNDARY}"`);
    expect(nc.spec.userData).toContain(preventionShell());
  });

  it('recommends from the OS and node name', () => {
    expect(recommend({ osPrettyName: 'Amazon Linux 2023.6.20241010', nodeName: 'ip-10-0-1-5.ec2.internal' }).kind).toBe('eks-al2023-nodeadm');
    expect(recommend({ osPrettyName: 'Amazon Linux 2', nodeName: 'x' }).kind).toBe('eks-bootstrap-sh');
    expect(recommend({ osPrettyName: 'Ubuntu 22.04.5 LTS', nodeName: 'ip-10-0-1-5.us-west-2.compute.internal' }).kind).toBe('eks-bootstrap-sh');
    expect(recommend({ osPrettyName: 'Ubuntu 22.04.5 LTS', nodeName: 'worker-1' }).kind).toBe('cloud-init');
    expect(recommend({ osPrettyName: 'Debian GNU/Linux 12 (bookworm)', nodeName: 'worker-1' }).kind).toBe('cloud-init');
    expect(recommend({ osPrettyName: null }).kind).toBe('shell');
    expect(recommend({ osPrettyName: 'Flatcar Container Linux' }).kind).toBe('shell');
    expect(parseKind('kops')).toBe('kops');
    expect(parseKind('rm -rf')).toBeNull();
  });
});
