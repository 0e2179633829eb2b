// Which snippet to show first for a node, from what its reports say: the os-release PRETTY_NAME and the node name.
// The report cannot see the provisioner itself (launch template, Karpenter, kops, Ansible), so an EC2-style node
// name is the only provisioner hint; the page lets people pick another snippet. Pure and client-safe.
import { SNIPPET_KINDS, type SnippetKind } from './snippets';

export type NodeOs = 'al2023' | 'al2' | 'ubuntu' | 'debian' | 'bottlerocket' | 'other' | 'unknown';
export const NODE_OSES: readonly NodeOs[] = ['al2023', 'al2', 'ubuntu', 'debian', 'bottlerocket', 'other', 'unknown'];

export interface NodeFacts {
  osPrettyName: string | null;
  nodeName?: string | null;
}

export interface Recommendation {
  os: NodeOs;
  /** The node's name looks like an EC2 private DNS name, so it is most likely an EKS node. */
  ec2: boolean;
  kind: SnippetKind;
  why: string;
}

export function nodeOs(prettyName: string | null): NodeOs {
  if (!prettyName) return 'unknown';
  if (/^Amazon Linux 2023\b/i.test(prettyName)) return 'al2023';
  if (/^Amazon Linux 2\b/i.test(prettyName)) return 'al2';
  if (/^Ubuntu\b/i.test(prettyName)) return 'ubuntu';
  if (/^Debian\b/i.test(prettyName)) return 'debian';
  if (/^Bottlerocket\b/i.test(prettyName)) return 'bottlerocket';
  return 'other';
}

const EC2_NAME = /^(ip|i)-[0-9a-f-]+\.([a-z0-9-]+\.)?(ec2|compute)\.internal$/;

export function looksLikeEc2(nodeName: string | null | undefined): boolean {
  return EC2_NAME.test(nodeName ?? '');
}

export function recommend(facts: NodeFacts): Recommendation {
  return recommendFor(nodeOs(facts.osPrettyName), looksLikeEc2(facts.nodeName));
}

/** For an OS chosen on the page (?os=) as well as one read from a report. */
export function recommendFor(os: NodeOs, ec2: boolean): Recommendation {
  switch (os) {
    case 'al2023':
      return { os, ec2, kind: 'eks-al2023-nodeadm', why: 'Amazon Linux 2023 joins EKS with nodeadm: a shell part before the NodeConfig part of the launch template user data' };
    case 'al2':
      return { os, ec2, kind: 'eks-bootstrap-sh', why: 'Amazon Linux 2 EKS AMIs join with /etc/eks/bootstrap.sh' };
    case 'ubuntu':
      return ec2
        ? { os, ec2, kind: 'eks-bootstrap-sh', why: 'Ubuntu on EC2: the Ubuntu EKS AMIs join with /etc/eks/bootstrap.sh' }
        : { os, ec2, kind: 'cloud-init', why: 'Ubuntu images run cloud-init from user data' };
    case 'debian':
      return { os, ec2, kind: 'cloud-init', why: 'Debian cloud images run cloud-init from user data' };
    case 'bottlerocket':
      // Bottlerocket has no writable /etc/systemd/network; only the generic snippet applies to an image build.
      return { os, ec2, kind: 'shell', why: 'Bottlerocket takes TOML settings, not user-data scripts: bake the file into a custom variant image' };
    default:
      return { os, ec2, kind: 'shell', why: 'the OS is not one vethwatch knows a provisioner for: the plain shell snippet works anywhere' };
  }
}

export function parseOs(raw: string | null | undefined): NodeOs | null {
  return raw && (NODE_OSES as readonly string[]).includes(raw) ? (raw as NodeOs) : null;
}

export const NODE_OS_LABELS: Record<NodeOs, string> = {
  al2023: 'Amazon Linux 2023',
  al2: 'Amazon Linux 2',
  ubuntu: 'Ubuntu',
  debian: 'Debian',
  bottlerocket: 'Bottlerocket',
  other: 'Another Linux',
  unknown: 'Unknown',
};

/** For ?os= and ?kind= on the prevent page: unknown values are ignored, never trusted. */
export function parseKind(raw: string | null | undefined): SnippetKind | null {
  return raw && (SNIPPET_KINDS as readonly string[]).includes(raw) ? (raw as SnippetKind) : null;
}
