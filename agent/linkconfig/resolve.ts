// link_get_config() + the MAC part of link_apply_config(): the first loaded .link file (in file-name order)
// whose [Match] holds for the device is applied, and only that one; then the MAC policy decides the MAC.
import type { LinkVerdict } from '../../lib/report/schema';
import { formatHwAddr } from './hwaddr';
import { decideMac } from './macPolicy';
import { netMatch } from './match';
import type { DeviceFacts, LinkCandidate, LinkConfig, LinkExplanation } from './types';

/** The .link file udev applies to the device, or null ("No matching link configuration found"). */
export function findLinkFile(config: LinkConfig, dev: DeviceFacts): LinkCandidate | null {
  // "Do not configure loopback interfaces by .link files."
  if (dev.loopback || dev.type === 'loopback') return null;
  for (const c of config.entries) if (c.settings && netMatch(c.settings.match, dev)) return c;
  return null;
}

export function explainLink(config: LinkConfig, dev: DeviceFacts): LinkExplanation {
  const c = findLinkFile(config, dev);
  if (!c || !c.settings) {
    return {
      verdict: { linkFile: null, dropIns: [], macAddressPolicy: null, macAddress: null, udevRewritesMac: false },
      newMac: null,
      reason: 'No matching link configuration found, ignoring device.',
    };
  }
  const d = decideMac(c.settings, dev, {
    systemdVersion: config.modelVersion,
    machineId: config.host.machineId,
    stableVirtualMacs: config.stableVirtualMacs,
  });
  const static_ = c.settings.macAddress;
  const verdict: LinkVerdict = {
    linkFile: c.path,
    dropIns: c.dropIns,
    macAddressPolicy: d.policy,
    macAddress: static_ && static_.length === 6 ? formatHwAddr(static_) : null,
    udevRewritesMac: d.rewrites,
    policySource: c.policySource ?? null,
  };
  return { verdict, newMac: d.newMac, reason: d.reason };
}

export function resolveLink(config: LinkConfig, dev: DeviceFacts): LinkVerdict {
  return explainLink(config, dev).verdict;
}
