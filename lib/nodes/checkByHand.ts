// "Check by hand": the exact commands an on-call engineer pastes on the node to see with their own eyes what a
// verdict says, built from the node's report. Read-only unless said otherwise: `udevadm test-builtin
// net_setup_link` APPLIES the link policy to the device, so it is offered only where that policy leaves the veth
// alone; elsewhere `udevadm info` and `systemd-analyze cat-config` show the same facts without touching anything.
// Names from reports are quoted for the shell. Client-safe and pure.
import type { LinkFileInfo, LinkVerdict, Veth } from '../report/schema';
import { policySourceOf } from './policySource';

export const DEFAULT_GATEWAY = '169.254.1.1';

export interface HandCheck {
  /** What the command shows. */
  title: string;
  /** One line, copyable as is. */
  command: string;
  /** What a healthy answer looks like, and what this node's report says. */
  expect: string;
  /** False for a command that can change the device (said in `expect`). */
  readOnly: boolean;
}

export interface VethHandChecks {
  ifname: string;
  pod: string | null;
  arpStatus: Veth['arpStatus'];
  checks: HandCheck[];
}

export interface CheckByHand {
  node: string;
  /** Node-wide: which files decide the policy for new veths. */
  policy: HandCheck[];
  /** Per veth: the broken and unreadable ones first; at most MAX_VETHS. */
  veths: VethHandChecks[];
  /** Veths left out of `veths` to keep the list short. */
  omitted: number;
}

export const MAX_VETHS = 20;

/** POSIX shell quoting: safe words as they are, anything else in single quotes. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9@%+=:,./_-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const ORDER: Record<Veth['arpStatus'], number> = { mismatch: 0, unknown: 1, missing: 2, ok: 3 };

function vethChecks(v: Veth, newVeth: LinkVerdict | null): HandCheck[] {
  const sys = `/sys/class/net/${v.ifname}`;
  const gateway = v.gatewayIp ?? DEFAULT_GATEWAY;
  const checks: HandCheck[] = [];
  const seen =
    v.arpStatus === 'mismatch'
      ? `the report saw lladdr ${v.gatewayLladdr ?? 'unknown'}, which is NOT the host veth's ${v.mac}: this pod cannot reach its gateway`
      : v.arpStatus === 'ok'
        ? `the report saw lladdr ${v.gatewayLladdr ?? v.mac}`
        : v.arpStatus === 'missing'
          ? 'the report saw no entry'
          : 'the agent could not read it';
  if (v.netns) {
    checks.push({
      title: "The pod's gateway ARP entry",
      command: shellLine(['ip', 'netns', 'exec', v.netns, 'ip', 'neigh', 'show', gateway]),
      expect: `Healthy: "${gateway} dev ${v.peerIfname ?? 'eth0'} lladdr ${v.mac} PERMANENT" (the host veth's MAC); ${seen}.`,
      readOnly: true,
    });
  } else {
    checks.push({
      title: "The pod's gateway ARP entry",
      command: shellLine(['ip', '-d', 'link', 'show', v.ifname]),
      expect: `The report does not name this pod's network namespace: the link-netns in this output does; then run ip netns exec <that netns> ip neigh show ${gateway}. ${seen}.`,
      readOnly: true,
    });
  }
  checks.push({
    title: 'The host veth and its MAC',
    command: shellLine(['ip', '-d', 'link', 'show', v.ifname]),
    expect: `link/ether ${v.mac} as reported${v.netns ? `, link-netns ${v.netns}` : ''}.`,
    readOnly: true,
  });
  checks.push({
    title: 'Who set the MAC',
    command: shellLine(['cat', `${sys}/addr_assign_type`]),
    expect: `0 or 1: the MAC the veth was created with; 3: set from userspace (udev rewrote it). The report saw ${v.addrAssignType ?? 'nothing'}.`,
    readOnly: true,
  });
  if (newVeth && !newVeth.udevRewritesMac) {
    checks.push({
      title: "What udev's link policy does to this veth",
      command: shellLine(['udevadm', 'test-builtin', 'net_setup_link', sys]),
      expect: `Applies the link policy to this veth; on a healthy node it changes nothing. Look for "Config file ${newVeth.linkFile ?? '(none)'} is applied" and no new MAC.`,
      readOnly: false,
    });
  } else {
    // net_setup_link would rewrite this veth's MAC under the current policy: show the same facts read-only.
    checks.push({
      title: "udev's view of this veth (read-only)",
      command: shellLine(['udevadm', 'info', sys]),
      expect: `ID_NET_LINK_FILE names the .link file udev applied${newVeth?.linkFile ? ` (${newVeth.linkFile})` : ''}; ID_NET_LINK_FILE_DROPINS its drop-ins.`,
      readOnly: true,
    });
  }
  return checks;
}

function policyChecks(newVeth: LinkVerdict | null, files: readonly LinkFileInfo[]): HandCheck[] {
  if (!newVeth?.linkFile) return [];
  const name = baseName(newVeth.linkFile);
  const source = policySourceOf(newVeth, files);
  return [
    {
      title: 'The link file for new veths and its drop-ins, as udev reads them',
      command: shellLine(['systemd-analyze', 'cat-config', `systemd/network/${name}`]),
      expect: `The last MACAddressPolicy= wins: the report says ${newVeth.macAddressPolicy ?? 'unset'}${source ? ` from ${source}` : " (no file sets it: udev's default)"}. persistent rewrites new veths; none keeps their MAC.`,
      readOnly: true,
    },
  ];
}

/** The node's check-by-hand block, from its latest report. */
export function checkByHand(node: { name: string; veths: readonly Veth[]; newVeth: LinkVerdict | null; linkFiles: readonly LinkFileInfo[] }): CheckByHand {
  const sorted = [...node.veths].sort((a, b) => ORDER[a.arpStatus] - ORDER[b.arpStatus] || a.ifname.localeCompare(b.ifname));
  const shown = sorted.slice(0, MAX_VETHS);
  return {
    node: node.name,
    policy: policyChecks(node.newVeth, node.linkFiles),
    veths: shown.map((v) => ({
      ifname: v.ifname,
      pod: v.pod ? `${v.pod.namespace}/${v.pod.name}` : null,
      arpStatus: v.arpStatus,
      checks: vethChecks(v, node.newVeth),
    })),
    omitted: sorted.length - shown.length,
  };
}
