// A node's state from what its last report said and how long ago it arrived. Pure: the read side calls it with
// the current time, so a node goes stale without anyone writing anything.
import { CNI_FACTS } from '../report/cnis';
import type { CniKind } from '../report/schema';
import { CNI_UPGRADE_NOTE } from './cniAdvice';
import { describePolicySource } from './policySource';
import type { NodeState } from './types';

/** A node that has not reported for this many intervals is stale, whatever it said last. */
export const STALE_AFTER_INTERVALS = 3;

export interface NodeStateInput {
  now: Date | number;
  /** Server time the last report arrived; null when none has. */
  lastReportAt: string | null;
  intervalSeconds: number;
  mismatchCount: number;
  /** Veths whose pod gateway entry the agent could not read. */
  unknownArpCount: number;
  /** Those pods (or veths) by name, when the caller has the report: the reason names them. */
  unknownArpNames?: readonly string[];
  /** What udev does to the next CNI veth; null when no usable report says. */
  newVeth: {
    udevRewritesMac: boolean;
    macAddressPolicy: string | null;
    linkFile: string | null;
    /** The file that sets MACAddressPolicy= (a drop-in when one does); absent: taken to be linkFile. */
    source?: string | null;
  } | null;
  /**
   * Whether the cluster's Amazon VPC CNI sets host veth MACs itself (v1.20.1+, from the aws-node DaemonSet): then
   * udev's policy cannot rewrite the MAC of a new veth. Existing pods are unaffected: a mismatch stays broken.
   */
  cniSetsHostVethMac?: boolean | null;
  cniVersion?: string | null;
  /** The CNI those facts are about (lib/report/cnis.ts names); absent or null: the Amazon VPC CNI. */
  cniName?: string | null;
  cniKind?: CniKind | null;
  /** The CNI is older than the recommended v1.20.5 (lib/nodes/cniAdvice.ts). */
  cniRecommendUpgrade?: boolean | null;
  /** Why the fix that keeps new veths safe will undo itself (report linkPolicy.fragile); null or absent when it will not. */
  fragileReason?: string | null;
}

export interface DerivedNodeState {
  state: NodeState;
  stateReason: string;
  lastKnownState: Exclude<NodeState, 'stale'>;
  reportAgeSeconds: number | null;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "the Amazon VPC CNI v1.20.5 sets host veth MACs itself (v1.20.1+)", or the same for the node's own CNI. */
function cniSafeClause(input: NodeStateInput): string {
  const version = input.cniVersion ? ` v${input.cniVersion}` : '';
  const kind = input.cniKind ?? 'aws-vpc-cni';
  if (kind === 'aws-vpc-cni') return `the Amazon VPC CNI${version} sets host veth MACs itself (v1.20.1+)`;
  const facts = CNI_FACTS[kind];
  const since = facts.safeSince ? ` (v${facts.safeSince}+)` : '';
  return `${input.cniName ?? facts.name}${version} sets the MACs of the devices it creates itself${since}`;
}

/** For a CNI other than the VPC CNI whose release is known to predate its fix: which release fixes it. */
function cniTooOld(input: NodeStateInput): string {
  const kind = input.cniKind;
  if (!kind || kind === 'aws-vpc-cni' || input.cniSetsHostVethMac !== false || !input.cniVersion) return '';
  const facts = CNI_FACTS[kind];
  return facts.safeSince ? ` ${input.cniName ?? facts.name} v${input.cniVersion} predates v${facts.safeSince}, the first release that sets these MACs itself.` : '';
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function policySource(newVeth: NonNullable<NodeStateInput['newVeth']>): string {
  return describePolicySource({ macAddressPolicy: newVeth.macAddressPolicy, linkFile: newVeth.linkFile, source: newVeth.source === undefined ? newVeth.linkFile : newVeth.source });
}

const NAMES_SHOWN = 5;

/** " The gateway ARP entry of 2 pods could not be read: a/b, c/d." — never hidden behind a worse state. */
function unreadable(input: NodeStateInput): string {
  if (input.unknownArpCount <= 0) return '';
  const names = input.unknownArpNames ?? [];
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  const more = names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : '';
  return ` The gateway ARP entry of ${plural(input.unknownArpCount, 'pod')} could not be read${shown ? `: ${shown}${more}` : ''}.`;
}

/** The state a node is counted and sorted under: a stale node that was broken when last heard of stays with the broken. */
export function countedState(n: { state: NodeState; lastKnownState: Exclude<NodeState, 'stale'> }): NodeState {
  return n.state === 'stale' && n.lastKnownState === 'broken' ? 'broken' : n.state;
}

function fromReport(input: NodeStateInput): { state: Exclude<NodeState, 'stale'>; reason: string } {
  const known = fromReportWithoutUnknown(input);
  // The healthy/unknown branches already name unreadable pods; the broken and at-risk ones must not hide them.
  if (known.state === 'broken' || known.state === 'at-risk') return { ...known, reason: `${known.reason}${unreadable(input)}` };
  return known;
}

function fromReportWithoutUnknown(input: NodeStateInput): { state: Exclude<NodeState, 'stale'>; reason: string } {
  const { mismatchCount, unknownArpCount, newVeth } = input;
  if (!newVeth) return { state: 'unknown', reason: 'No usable report from this node yet.' };
  if (mismatchCount > 0) {
    const also = newVeth.udevRewritesMac ? ` udev would also rewrite the MAC of new veths (${policySource(newVeth)}).` : '';
    const cniNote = input.cniSetsHostVethMac === true ? ' The CNI now sets host veth MACs, but that does not repair existing pods.' : '';
    return {
      state: 'broken',
      reason: `${plural(mismatchCount, 'pod')} ${mismatchCount === 1 ? 'has' : 'have'} a gateway ARP entry pointing at a MAC the host veth no longer has.${input.cniSetsHostVethMac === true ? '' : also}${cniNote}`,
    };
  }
  if (newVeth.udevRewritesMac && input.cniSetsHostVethMac !== true) {
    return { state: 'at-risk', reason: `udev would rewrite the MAC of new veths (${policySource(newVeth)}).${cniTooOld(input)}` };
  }
  if (newVeth.udevRewritesMac) {
    const cni = cniSafeClause(input);
    const arp = unreadable(input);
    return {
      state: unknownArpCount > 0 ? 'unknown' : 'healthy',
      reason: `New veths are safe: udev's policy would rewrite their MAC (${policySource(newVeth)}), but ${cni}. Pods created by an older CNI stay at risk until repaired or recreated.${input.cniRecommendUpgrade === true ? ` ${CNI_UPGRADE_NOTE}` : ''}${arp}`,
    };
  }
  if (input.fragileReason) {
    const arp = unknownArpCount > 0 ? ` The gateway ARP entry of ${plural(unknownArpCount, 'pod')} could not be read.` : '';
    return { state: 'fragile', reason: `${input.fragileReason}${arp}` };
  }
  if (unknownArpCount > 0) {
    return {
      state: 'unknown',
      reason: `New veths are safe (${policySource(newVeth)}), but${unreadable(input).replace(/^ The/, ' the')}`,
    };
  }
  return { state: 'healthy', reason: `No ARP mismatches; udev leaves the MAC of new veths alone (${policySource(newVeth)}).` };
}

export function deriveNodeState(input: NodeStateInput): DerivedNodeState {
  if (input.lastReportAt === null) {
    return { state: 'unknown', stateReason: 'No report received from this node yet.', lastKnownState: 'unknown', reportAgeSeconds: null };
  }
  const now = typeof input.now === 'number' ? input.now : input.now.getTime();
  const ageSeconds = Math.max(0, (now - Date.parse(input.lastReportAt)) / 1000);
  const known = fromReport(input);
  const reportAgeSeconds = Math.floor(ageSeconds);
  if (ageSeconds > STALE_AFTER_INTERVALS * input.intervalSeconds) {
    return {
      state: 'stale',
      stateReason: `No report for ${formatDuration(ageSeconds)} (expected every ${formatDuration(input.intervalSeconds)}); last known state: ${known.state}. ${known.reason}`,
      lastKnownState: known.state,
      reportAgeSeconds,
    };
  }
  return { state: known.state, stateReason: known.reason, lastKnownState: known.state, reportAgeSeconds };
}
