// The cross-node checks: pure, fed by each node's latest report facts and the Kubernetes Node objects' flannel
// annotations. Node-local agents cannot see any of this: a VTEP MAC is only wrong relative to what the other nodes
// have programmed for it, and a machine ID is only a problem when another node has the same one.
import { CROSS_NODE_CODES, type CrossNodeFinding, type FlannelNodeInfo, type NodeCrossFacts } from './types';

/** MACs several nodes legitimately share: unset, and Calico's fixed host-side veth MAC. */
const SHARED_BY_DESIGN = new Set(['00:00:00:00:00:00', 'ee:ee:ee:ee:ee:ee', 'ff:ff:ff:ff:ff:ff']);
/** How many names a message spells out before "and N more" (the finding's nodes[] holds all of them). */
const NAMES_IN_MESSAGE = 4;

export const FLANNEL_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';

export interface CrossNodeInput {
  /** Latest report facts by node name (nodes without a report are absent). */
  facts: ReadonlyMap<string, NodeCrossFacts>;
  /** Flannel facts from the Node objects by node name; null without a cluster. */
  flannel: ReadonlyMap<string, FlannelNodeInfo> | null;
  /**
   * Nodes whose agent has gone quiet: their last FDB and neighbour tables (and their flannel.1 MAC) may be long out
   * of date, so the flannel checks do not use them. Their machine ID and host MACs still count.
   */
  stale?: ReadonlySet<string>;
}

function sorted(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/** "node-a", "node-a and node-b", "node-a, node-b and node-c", "node-a, ... and 7 more". */
export function nameList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= NAMES_IN_MESSAGE) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, NAMES_IN_MESSAGE).join(', ')} and ${names.length - NAMES_IN_MESSAGE} more`;
}

function possessive(names: readonly string[]): string {
  return `${nameList(names)}'s`;
}

function flannelFindings(input: CrossNodeInput): CrossNodeFinding[] {
  const out: CrossNodeFinding[] = [];
  if (!input.flannel) return out;
  // What each VTEP should be: the device's real MAC when its agent reports it, else what the annotation advertises.
  const byPublicIp = new Map<string, string>();
  const byVtepIp = new Map<string, string>();
  const stale = input.stale ?? new Set<string>();
  const current = (name: string) => (stale.has(name) ? null : (input.facts.get(name)?.flannelMac ?? null));
  for (const [name, info] of input.flannel) {
    const actual = current(name);
    if (actual && info.vtepMac && actual !== info.vtepMac) {
      out.push({
        code: 'flannel-vtep-annotation-mismatch',
        severity: 'error',
        nodes: [name],
        message:
          `${name}'s flannel.1 is ${actual} but its Node annotation ${FLANNEL_BACKEND_DATA} advertises VtepMAC ` +
          `${info.vtepMac}, so the other nodes send its overlay traffic to a MAC it does not have.`,
      });
    }
    if (info.publicIp) byPublicIp.set(info.publicIp, name);
    if (info.vtepIp) byVtepIp.set(info.vtepIp, name);
  }
  const expected = (target: string): { mac: string; says: string } | null => {
    const actual = current(target);
    if (actual) return { mac: actual, says: `${target}'s flannel.1 is ${actual}` };
    const advertised = input.flannel?.get(target)?.vtepMac ?? null;
    return advertised ? { mac: advertised, says: `${target}'s Node annotation advertises VtepMAC ${advertised}` } : null;
  };
  // target -> wrong MAC -> observers, per entry kind
  type Groups = Map<string, Map<string, Set<string>>>;
  const fdbWrong: Groups = new Map();
  const neighWrong: Groups = new Map();
  const note = (groups: Groups, target: string, mac: string, observer: string) => {
    let byMac = groups.get(target);
    if (!byMac) groups.set(target, (byMac = new Map()));
    let observers = byMac.get(mac);
    if (!observers) byMac.set(mac, (observers = new Set()));
    observers.add(observer);
  };
  for (const [observer, facts] of input.facts) {
    if (stale.has(observer)) continue;
    for (const e of facts.fdb) {
      const target = byPublicIp.get(e.dst);
      if (!target || target === observer) continue;
      const want = expected(target);
      if (want && e.mac !== want.mac) note(fdbWrong, target, e.mac, observer);
    }
    for (const n of facts.neighbours) {
      const target = byVtepIp.get(n.ip);
      if (!target || target === observer) continue;
      const want = expected(target);
      if (want && n.lladdr !== want.mac) note(neighWrong, target, n.lladdr, observer);
    }
  }
  const emit = (groups: Groups, code: 'flannel-fdb-stale' | 'flannel-neighbour-stale') => {
    for (const [target, byMac] of groups) {
      const want = expected(target)!;
      const address = code === 'flannel-fdb-stale' ? input.flannel!.get(target)!.publicIp : input.flannel!.get(target)!.vtepIp;
      for (const [mac, observerSet] of byMac) {
        const observers = sorted(observerSet);
        const one = observers.length === 1;
        const what = code === 'flannel-fdb-stale' ? (one ? 'FDB entry' : 'FDB entries') : one ? 'neighbour entry' : 'neighbour entries';
        out.push({
          code,
          severity: 'error',
          nodes: sorted([target, ...observers]),
          message:
            `${possessive(observers)} ${what} for ${target}'s VTEP (${address}) ${one ? 'points' : 'point'} at ${mac} ` +
            `but ${want.says}: overlay traffic from ${one ? 'it' : 'them'} to ${target}'s pods is dropped.`,
        });
      }
    }
  };
  emit(fdbWrong, 'flannel-fdb-stale');
  emit(neighWrong, 'flannel-neighbour-stale');
  return out;
}

function machineIdFindings(input: CrossNodeInput): CrossNodeFinding[] {
  const groups = new Map<string, string[]>();
  for (const [name, f] of input.facts) {
    if (!f.machineIdHash) continue;
    const g = groups.get(f.machineIdHash);
    if (g) g.push(name);
    else groups.set(f.machineIdHash, [name]);
  }
  const out: CrossNodeFinding[] = [];
  for (const [hash, names] of groups) {
    if (names.length < 2) continue;
    const nodes = sorted(names);
    out.push({
      code: 'duplicate-machine-id',
      severity: 'warning',
      nodes,
      message:
        `${nameList(nodes)} share one /etc/machine-id (salted hash ${hash.slice(0, 12)}…): MACAddressPolicy=persistent ` +
        `derives MACs from it, so same-named interfaces get the same MAC on each (systemd#18362). Give each node its ` +
        `own machine ID (empty /etc/machine-id in the image, systemd-machine-id-setup) and reboot it.`,
    });
  }
  return out;
}

function duplicateMacFindings(input: CrossNodeInput): CrossNodeFinding[] {
  const byMac = new Map<string, Array<{ node: string; ifname: string }>>();
  for (const [node, f] of input.facts) {
    for (const d of f.hostMacs) {
      if (SHARED_BY_DESIGN.has(d.mac)) continue;
      const list = byMac.get(d.mac);
      if (list) list.push({ node, ifname: d.ifname });
      else byMac.set(d.mac, [{ node, ifname: d.ifname }]);
    }
  }
  const out: CrossNodeFinding[] = [];
  for (const [mac, holders] of byMac) {
    const nodes = sorted(holders.map((h) => h.node));
    if (nodes.length < 2) continue;
    const where = [...holders].sort((a, b) => (a.node === b.node ? (a.ifname < b.ifname ? -1 : 1) : a.node < b.node ? -1 : 1)).map((h) => `${h.ifname} on ${h.node}`);
    out.push({
      code: 'duplicate-host-mac',
      severity: 'error',
      nodes,
      message: `${mac} is the MAC of ${nameList(where)}: peers on a shared segment or overlay cannot tell these nodes apart.`,
    });
  }
  return out;
}

const CODE_ORDER = new Map(CROSS_NODE_CODES.map((c, i) => [c, i]));

/** Every cross-node finding, errors first, then by check and first node named. */
export function findCrossNodeHazards(input: CrossNodeInput): CrossNodeFinding[] {
  const all = [...flannelFindings(input), ...machineIdFindings(input), ...duplicateMacFindings(input)];
  return all.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      CODE_ORDER.get(a.code)! - CODE_ORDER.get(b.code)! ||
      (a.nodes[0] < b.nodes[0] ? -1 : a.nodes[0] > b.nodes[0] ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** The findings that name one node (for its page). */
export function hazardsFor(node: string, findings: readonly CrossNodeFinding[]): CrossNodeFinding[] {
  return findings.filter((f) => f.nodes.includes(node));
}
