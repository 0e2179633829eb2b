// Copy-ready bootstrap that installs vethwatch's fix on new nodes, one per provisioner SREs use, all built from the
// one drop-in definition remediation writes (lib/remediation/dropIn.ts): the same path, byte-identical content, and
// `udevadm control --reload` afterwards. None of them ever runs `udevadm trigger`, which replays add events and
// re-MACs healthy veths. Pure text builders: client-safe, nothing here touches a disk.
import { DROP_IN_CONTENT, DROP_IN_FOR, DROP_IN_RELPATH } from '../remediation/dropIn';

export const SNIPPET_KINDS = ['eks-al2023-nodeadm', 'eks-bootstrap-sh', 'karpenter', 'cloud-init', 'ansible', 'kops', 'shell'] as const;
export type SnippetKind = (typeof SNIPPET_KINDS)[number];

/** The absolute path every snippet writes on the node. */
export const PREVENTION_PATH = `/${DROP_IN_RELPATH}`;
export const PREVENTION_DIR = `/etc/systemd/network/${DROP_IN_FOR}.d`;
export const RELOAD_ARGV = ['udevadm', 'control', '--reload'] as const;
/** Boundary of the MIME multi-part user data (EKS's own examples use "//"). */
export const MIME_BOUNDARY = '==VETHWATCH==';
/** The shell snippets write under this root when it is set (tests, image builds into a chroot); empty at boot. */
export const ROOT_VARIABLE = 'VETHWATCH_ROOT';

export interface Snippet {
  kind: SnippetKind;
  title: string;
  /** Where it goes, in the words of the tool's own docs. */
  where: string;
  language: 'mime' | 'yaml' | 'shell';
  /** A file name to save it as. */
  filename: string;
  text: string;
}

/** Placeholders people replace; kept visibly fake so a pasted snippet cannot silently point at the wrong cluster. */
export interface SnippetOptions {
  clusterName?: string;
}

const HEREDOC_END = 'VETHWATCH_DROP_IN';

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

/** A YAML literal block (`|`) holding DROP_IN_CONTENT exactly: one trailing newline, which `|` keeps. */
function yamlBlock(key: string, spaces: number): string {
  if (!DROP_IN_CONTENT.endsWith('\n') || DROP_IN_CONTENT.endsWith('\n\n')) throw new Error('drop-in content must end in exactly one newline for a YAML literal block');
  return `${' '.repeat(spaces)}${key}: |\n${indent(DROP_IN_CONTENT, spaces + 2)}`;
}

/** The shell that writes the drop-in: the plain snippet and the shell part of every user-data snippet. */
export function preventionShell(): string {
  if (DROP_IN_CONTENT.split('\n').includes(HEREDOC_END)) throw new Error('drop-in content contains the heredoc terminator');
  return (
    '#!/bin/sh\n' +
    '# vethwatch: keep the MAC a veth was created with (MACAddressPolicy=none for 99-default.link), so udev does not\n' +
    '# rewrite pod veth MACs. Reloads udev rules only: replaying add events would re-MAC healthy veths.\n' +
    'set -eu\n' +
    `root="\${${ROOT_VARIABLE}:-}"\n` +
    `install -d -m 0755 "$root${PREVENTION_DIR}"\n` +
    `cat > "$root${PREVENTION_PATH}.tmp" <<'${HEREDOC_END}'\n` +
    DROP_IN_CONTENT +
    `${HEREDOC_END}\n` +
    `chmod 0644 "$root${PREVENTION_PATH}.tmp"\n` +
    `mv "$root${PREVENTION_PATH}.tmp" "$root${PREVENTION_PATH}"\n` +
    '# Only the live system has a udevd to tell; an image root gets the file alone.\n' +
    `if [ -z "$root" ]; then ${RELOAD_ARGV.join(' ')}; fi\n`
  );
}

interface MimePart {
  contentType: string;
  body: string;
}

function mime(parts: MimePart[]): string {
  return (
    'MIME-Version: 1.0\n' +
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"\n\n` +
    parts.map((p) => `--${MIME_BOUNDARY}\nContent-Type: ${p.contentType}\n\n${p.body.endsWith('\n') ? p.body : p.body + '\n'}\n`).join('') +
    `--${MIME_BOUNDARY}--\n`
  );
}

function cluster(o: SnippetOptions): string {
  return o.clusterName ?? 'my-cluster';
}

const SHELL_PART: () => MimePart = () => ({ contentType: 'text/x-shellscript; charset="us-ascii"', body: preventionShell() });

function nodeConfig(o: SnippetOptions): string {
  return (
    '---\n' +
    'apiVersion: node.eks.aws/v1alpha1\n' +
    'kind: NodeConfig\n' +
    '# Managed node groups merge their own cluster details: keep only the shell part there. Self-managed nodes need\n' +
    '# these (aws eks describe-cluster --name <cluster>).\n' +
    'spec:\n' +
    '  cluster:\n' +
    `    name: ${cluster(o)}\n` +
    '    apiServerEndpoint: https://EXAMPLE.gr7.us-west-2.eks.amazonaws.com\n' +
    '    certificateAuthority: BASE64_CA_DATA\n' +
    '    cidr: 10.100.0.0/16\n'
  );
}

function eksAl2023(o: SnippetOptions): Snippet {
  return {
    kind: 'eks-al2023-nodeadm',
    title: 'EKS on Amazon Linux 2023 (nodeadm)',
    where: 'Launch template user data of a managed node group or self-managed nodes',
    language: 'mime',
    filename: 'user-data-al2023.mime',
    text: mime([SHELL_PART(), { contentType: 'application/node.eks.aws', body: nodeConfig(o) }]),
  };
}

function eksBootstrapSh(o: SnippetOptions): Snippet {
  return {
    kind: 'eks-bootstrap-sh',
    title: 'EKS on Ubuntu EKS AMIs (bootstrap.sh)',
    where: 'Launch template user data of a managed node group with a custom AMI, or self-managed nodes',
    language: 'mime',
    filename: 'user-data-bootstrap.mime',
    text: mime([
      SHELL_PART(),
      // A separate part, after the drop-in: cloud-init runs the parts in order, so the node joins already protected.
      { contentType: 'text/x-shellscript; charset="us-ascii"', body: `#!/bin/sh\nset -eu\n/etc/eks/bootstrap.sh ${cluster(o)}\n` },
    ]),
  };
}

function karpenter(o: SnippetOptions): Snippet {
  const userData = mime([SHELL_PART()]);
  return {
    kind: 'karpenter',
    title: 'Karpenter EC2NodeClass (karpenter.k8s.aws/v1)',
    where: 'EC2NodeClass spec.userData; Karpenter merges it with its own nodeadm NodeConfig',
    language: 'yaml',
    filename: 'ec2nodeclass-vethwatch.yaml',
    text:
      'apiVersion: karpenter.k8s.aws/v1\n' +
      'kind: EC2NodeClass\n' +
      'metadata:\n' +
      '  name: vethwatch-mac-none\n' +
      'spec:\n' +
      '  amiSelectorTerms:\n' +
      '    - alias: al2023@latest\n' +
      `  role: KarpenterNodeRole-${cluster(o)}\n` +
      '  subnetSelectorTerms:\n' +
      '    - tags:\n' +
      `        karpenter.sh/discovery: ${cluster(o)}\n` +
      '  securityGroupSelectorTerms:\n' +
      '    - tags:\n' +
      `        karpenter.sh/discovery: ${cluster(o)}\n` +
      '  userData: |\n' +
      indent(userData, 4),
  };
}

function cloudInit(): Snippet {
  return {
    kind: 'cloud-init',
    title: 'cloud-init (#cloud-config)',
    where: 'Instance user data on any cloud-init image (Ubuntu, Debian, Amazon Linux)',
    language: 'yaml',
    filename: 'vethwatch.cloud-config.yaml',
    text:
      '#cloud-config\n' +
      'write_files:\n' +
      `  - path: ${PREVENTION_PATH}\n` +
      '    owner: root:root\n' +
      "    permissions: '0644'\n" +
      yamlBlock('content', 4) +
      'runcmd:\n' +
      `  - [${RELOAD_ARGV.join(', ')}]\n`,
  };
}

function ansible(): Snippet {
  return {
    kind: 'ansible',
    title: 'Ansible playbook',
    where: 'A play (or copy the tasks and handler into your node role)',
    language: 'yaml',
    filename: 'vethwatch-mac-none.yml',
    text:
      '- name: Keep pod veth MACs (vethwatch MACAddressPolicy=none)\n' +
      '  hosts: all\n' +
      '  become: true\n' +
      '  vars:\n' +
      '    # Empty on real nodes; a directory to install into an image root instead.\n' +
      '    vethwatch_root: ""\n' +
      '  tasks:\n' +
      `    - name: ${DROP_IN_FOR} drop-in directory\n` +
      '      ansible.builtin.file:\n' +
      `        path: "{{ vethwatch_root }}${PREVENTION_DIR}"\n` +
      '        state: directory\n' +
      '        mode: "0755"\n' +
      '    - name: MACAddressPolicy=none for new veths\n' +
      '      ansible.builtin.copy:\n' +
      `        dest: "{{ vethwatch_root }}${PREVENTION_PATH}"\n` +
      '        owner: root\n' +
      '        group: root\n' +
      '        mode: "0644"\n' +
      yamlBlock('content', 8) +
      '      notify: Reload udev rules\n' +
      '  handlers:\n' +
      '    # Reload only: replaying add events would re-MAC healthy veths.\n' +
      '    - name: Reload udev rules\n' +
      `      ansible.builtin.command: ${RELOAD_ARGV.join(' ')}\n` +
      '      changed_when: true\n' +
      '      when: vethwatch_root | length == 0\n',
  };
}

function kops(o: SnippetOptions): Snippet {
  return {
    kind: 'kops',
    title: 'kops InstanceGroup',
    where: 'InstanceGroup spec (kops edit ig nodes), then kops update cluster and a rolling update',
    language: 'yaml',
    filename: 'instancegroup-vethwatch.yaml',
    text:
      'apiVersion: kops.k8s.io/v1alpha2\n' +
      'kind: InstanceGroup\n' +
      'metadata:\n' +
      '  name: nodes\n' +
      '  labels:\n' +
      `    kops.k8s.io/cluster: ${cluster(o)}\n` +
      'spec:\n' +
      '  role: Node\n' +
      '  fileAssets:\n' +
      '    - name: vethwatch-mac-none\n' +
      `      path: ${PREVENTION_PATH}\n` +
      '      roles: [Node]\n' +
      yamlBlock('content', 6) +
      '  hooks:\n' +
      '    - name: vethwatch-udev-reload.service\n' +
      '      roles: [Node]\n' +
      '      before: [kubelet.service]\n' +
      '      manifest: |\n' +
      '        Type=oneshot\n' +
      `        ExecStart=${RELOAD_ARGV.join(' ')}\n`,
  };
}

function shell(): Snippet {
  return {
    kind: 'shell',
    title: 'Shell (any provisioner, image builds)',
    where: 'Run as root on the node, or with VETHWATCH_ROOT=<image root> in an image build',
    language: 'shell',
    filename: 'vethwatch-mac-none.sh',
    text: preventionShell(),
  };
}

export function buildSnippet(kind: SnippetKind, options: SnippetOptions = {}): Snippet {
  switch (kind) {
    case 'eks-al2023-nodeadm':
      return eksAl2023(options);
    case 'eks-bootstrap-sh':
      return eksBootstrapSh(options);
    case 'karpenter':
      return karpenter(options);
    case 'cloud-init':
      return cloudInit();
    case 'ansible':
      return ansible();
    case 'kops':
      return kops(options);
    case 'shell':
      return shell();
  }
}

export function buildSnippets(options: SnippetOptions = {}): Snippet[] {
  return SNIPPET_KINDS.map((k) => buildSnippet(k, options));
}
