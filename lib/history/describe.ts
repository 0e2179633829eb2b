// One sentence per stored event, for lists, CSV and screen readers. Client-safe and pure.
import type { EventDataMap, NodeEvent, PodRef } from '../events/types';
import type { LinkVerdict } from '../report/schema';

export function podLabel(pod: PodRef | null): string | null {
  return pod ? `${pod.namespace}/${pod.name}` : null;
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

/** A verdict's policy as people say it: MACAddressPolicy's value, or "unset" when no file sets it. */
export function policyName(verdict: Pick<LinkVerdict, 'macAddressPolicy'> | null): string {
  return verdict?.macAddressPolicy ?? 'unset';
}

function of(ifname: string, pod: PodRef | null): string {
  const p = podLabel(pod);
  return p ? `${ifname} (pod ${p})` : ifname;
}

type Appeared = EventDataMap['veth.appeared'];

/** "flannel.1 (overlay, vxlan)": a host device with what the CNI uses it for. */
export function hostDeviceLabel(d: { ifname: string; role: string; kind: string }): string {
  return `${d.ifname} (${d.role}, ${d.kind})`;
}

/** Who set a host device's new MAC, as far as the report can tell. */
export function hostDeviceMacSetter(d: Pick<EventDataMap['hostdevice.mac_changed'], 'setByUserspace' | 'fromUdevRewritesMac' | 'linkFile'>): string | null {
  if (!d.setByUserspace) return null;
  if (!d.fromUdevRewritesMac) return 'set by userspace';
  return `set by userspace: udev re-MACed it${d.linkFile ? ` per ${baseName(d.linkFile)}` : ''}`;
}

/** "created with X, rewritten to Y by udev 12 ms later", when the agent saw the creation MAC differ. */
export function creationRewrite(d: Pick<Appeared, 'mac' | 'creation' | 'addrAssignType'>): string | null {
  const c = d.creation;
  if (!c || c.mac === d.mac) return null;
  const by = d.addrAssignType === 3 ? ' by udev' : '';
  const when = c.rewrittenAfterMs === null ? '' : ` ${c.rewrittenAfterMs} ms later`;
  return `was created with MAC ${c.mac}, rewritten to ${d.mac}${by}${when}`;
}

/** What the rewrite did to the pod: its gateway entry still holds the creation MAC. */
function arpConsequence(d: Appeared): string {
  if (!d.creation || d.creation.mac === d.mac) return '';
  if (d.arpStatus === 'mismatch' && d.gatewayLladdr === d.creation.mac) {
    return ` (the pod's gateway ARP entry still points at the creation MAC ${d.creation.mac}, which the host veth no longer has: the pod's traffic to its gateway is lost)`;
  }
  if (d.arpStatus === 'mismatch') return ` (the pod's gateway ARP entry points at ${d.gatewayLladdr ?? 'an unknown MAC'}, not ${d.mac})`;
  return d.arpStatus === 'ok' ? " (the pod's gateway ARP entry already points at the new MAC)" : '';
}

export function describeEvent(e: NodeEvent): string {
  switch (e.type) {
    case 'node.first_report':
      return `first report: ${e.data.vethCount} veths, ${e.data.mismatchCount} with a stale gateway ARP entry; policy for new veths is ${policyName(e.data.newVeth)}`;
    case 'veth.appeared': {
      const rewrite = creationRewrite(e.data);
      if (rewrite) return `${of(e.data.ifname, e.data.pod)} ${rewrite}; gateway ARP ${e.data.arpStatus}${arpConsequence(e.data)}`;
      return `${of(e.data.ifname, e.data.pod)} ${e.data.initial ? 'was present at the first report' : 'appeared'} with MAC ${e.data.mac}, gateway ARP ${e.data.arpStatus}`;
    }
    case 'veth.vanished':
      return `${of(e.data.ifname, e.data.pod)} vanished (MAC ${e.data.mac})`;
    case 'veth.mac_changed': {
      const rewrite = e.data.creation ? creationRewrite({ mac: e.data.to, creation: e.data.creation, addrAssignType: e.data.addrAssignType }) : null;
      return `MAC of ${of(e.data.ifname, e.data.pod)} changed from ${e.data.from} to ${e.data.to}${e.data.setByUserspace ? ', set by userspace (udev)' : ''}${rewrite ? `: it ${rewrite}` : ''}`;
    }
    case 'arp.changed':
      return `gateway ARP entry of ${of(e.data.ifname, e.data.pod)} went from ${e.data.from} to ${e.data.to}${
        e.data.to === 'mismatch' ? ` (points at ${e.data.gatewayLladdr ?? 'unknown'}, host veth has ${e.data.hostMac})` : ''
      }`;
    case 'hostdevice.appeared':
      return `${hostDeviceLabel(e.data)} ${e.data.initial ? 'was present at the first report listing host devices' : 'appeared'} with MAC ${e.data.mac ?? 'unknown'}${
        e.data.udevRewritesMac ? `; udev would rewrite its MAC${e.data.linkFile ? ` (${baseName(e.data.linkFile)})` : ''}` : ''
      }`;
    case 'hostdevice.vanished':
      return `${hostDeviceLabel(e.data)} vanished (MAC ${e.data.mac ?? 'unknown'})`;
    case 'hostdevice.mac_changed': {
      const setter = hostDeviceMacSetter(e.data);
      return `${hostDeviceLabel(e.data)} MAC changed ${e.data.from ?? 'unknown'} -> ${e.data.to ?? 'unknown'}${setter ? ` (${setter})` : ''}`;
    }
    case 'linkfile.appeared':
      return `${e.data.initial ? 'link file present at the first report' : 'link file appeared'}: ${e.data.path}${
        e.data.macAddressPolicy ? ` (MACAddressPolicy=${e.data.macAddressPolicy})` : ''
      }`;
    case 'linkfile.changed':
      return `link file changed: ${e.data.path}${e.data.from.sha256 === e.data.to.sha256 ? ' (metadata only)' : ''}`;
    case 'linkfile.removed':
      return `link file removed: ${e.data.path}`;
    case 'policy.changed':
      return e.data.from === null
        ? `policy for new veths is ${policyName(e.data.to)}${e.data.to.udevRewritesMac ? ' (udev rewrites their MAC)' : ''}`
        : `policy for new veths went from ${policyName(e.data.from)} to ${policyName(e.data.to)}`;
    case 'package.event': {
      const version = e.data.toVersion ?? e.data.fromVersion;
      return `package ${e.data.package}${version ? ` ${version}` : ''}: ${e.data.action} at ${e.data.at}`;
    }
  }
}
