// The one file remediation writes, as data: its name, where it goes under a host root, and its exact text. Pure, so
// the server's preview and the agent's plan agree on the path and content that feed the plan id. Reading and
// writing it is the agent's job (agent/remediate/dropIn.ts); nothing here touches a disk.
import path from 'node:path';

export const DROP_IN_FOR = '99-default.link';
export const DROP_IN_NAME = '50-vethwatch-mac-none.conf';
/** Relative to the host root: in /etc, so a udev package upgrade (which rewrites /usr/lib silently) cannot undo it. */
export const DROP_IN_RELPATH = `etc/systemd/network/${DROP_IN_FOR}.d/${DROP_IN_NAME}`;

export const DROP_IN_CONTENT =
  '# Written by vethwatch remediate. Keeps the MAC a veth was created with: MACAddressPolicy=persistent\n' +
  '# rewrites host veths of Amazon VPC CNI < v1.20.1 and breaks the pods\' static gateway ARP entry.\n' +
  '# Fixed in VPC CNI v1.20.1; upgrade to v1.20.5+ (v1.20.1-v1.20.4 can fail pod creation under netlink churn).\n' +
  '[Link]\n' +
  'MACAddressPolicy=none\n';

/** Where the drop-in is for a given host root (`--root`); the path is part of the plan id. */
export function dropInPath(root: string): string {
  return path.join(path.resolve(root), DROP_IN_RELPATH);
}
