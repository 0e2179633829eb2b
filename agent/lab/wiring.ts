// Wiring pod namespaces the way the Amazon VPC CNI does, with the real ip tool.
//
// Pre-v1.20.1 order (driver.go createVethPairContext): the veth pair is created INSIDE the pod namespace, so the
// host end gets a kernel-random MAC (addr_assign_type 1); eth0 gets the /32, the 169.254.1.1 scope-link route,
// the default route and a PERMANENT neighbour entry holding the host end's MAC; only then is the host end moved
// to the host namespace, brought up and given the host /32 route. Moving keeps aat=1, which is what lets udev
// rewrite the MAC on the `add` event in the host namespace.
// v1.20.1+ passes a random locally administered MAC when creating the pair, so the host end has aat=3.
// Other CNIs (lab up --cni): the same order with their names, MACs, neighbours and bridge (cnis.ts).
import { CommandError, mapLimit, run } from '../collect/exec';
import { parseJsonStream, parseLinks } from '../collect/ipJson';
import { BRIDGE_GATEWAY, CNI_STYLES, type LabCni } from './cnis';
import { LabError } from './errors';
import { randomLocalMac } from './names';

export interface PodSpec {
  netns: string;
  hostIfname: string;
  podIP: string;
  /** 'v1.20.1': the CNI release that fixed it (for other CNIs too: the fixed release's way). */
  cniStyle: 'pre-1.20.1' | 'v1.20.1';
  /** Which CNI's way (default aws). */
  cni?: LabCni;
  /** Calico: this pod's ee:ee:ee:ee:ee:ee did not stick (udev won the race), so the lab leaves the kernel MAC. */
  macDidNotStick?: boolean;
}

export interface WiredPod extends PodSpec {
  hostMac: string;
  /** The host end's MAC at creation, which the pod's static entries pin when `pinned`. */
  gatewayLladdr: string;
  pinned: boolean;
}

const GATEWAY = '169.254.1.1';
const MTU = '9001';

async function ipBatch(netns: string | null, lines: string[], json = false): Promise<string> {
  const args = [...(netns ? ['-n', netns] : []), ...(json ? ['-j'] : []), '-batch', '-'];
  try {
    return (await run('ip', args, { input: lines.join('\n') + '\n', timeoutMs: 60_000 })).stdout;
  } catch (e) {
    if (e instanceof CommandError) throw new LabError(`ip ${netns ? `-n ${netns} ` : ''}-batch failed: ${e.stderr.trim() || e.message}`, { cause: e });
    throw e;
  }
}

export async function addNamespaces(names: readonly string[]): Promise<void> {
  if (names.length > 0) await ipBatch(null, names.map((n) => `netns add ${n}`));
}

/** Everything that happens inside the pod namespace, ending with the host end moved to our namespace. */
async function wirePodSide(spec: PodSpec): Promise<WiredPod> {
  const style = CNI_STYLES[spec.cni ?? 'aws'];
  const fixedMac = spec.cniStyle === 'v1.20.1' ? style.fixedMac : null;
  const peerMac = fixedMac === null ? '' : ` address ${fixedMac === 'random' ? randomLocalMac() : fixedMac}`;
  const routing = style.bridged
    ? [`addr add ${spec.podIP}/24 dev eth0`, `route add default via ${BRIDGE_GATEWAY} dev eth0`]
    : [`route add ${GATEWAY} dev eth0 scope link`, `route add default via ${GATEWAY} dev eth0`, `addr add ${spec.podIP}/32 dev eth0`];
  const out = await ipBatch(
    spec.netns,
    [
      `link add eth0 mtu ${MTU} type veth peer name ${spec.hostIfname} mtu ${MTU}${peerMac}`,
      `link set ${spec.hostIfname} up`,
      'link set eth0 up',
      ...routing,
      `link show dev ${spec.hostIfname}`,
    ],
    true,
  );
  const [doc] = parseJsonStream(out);
  const hostMac = parseLinks(doc)[0]?.address;
  if (!hostMac) throw new LabError(`could not read the MAC of ${spec.hostIfname} in ${spec.netns}`);
  // The CNI reads the host end's MAC before the move and pins it; that is the value udev later invalidates.
  await ipBatch(spec.netns, [
    ...style.staticToHostVeth.map((ip) => `neigh add ${ip} lladdr ${hostMac} dev eth0 nud permanent`),
    `link set ${spec.hostIfname} netns ${process.pid}`,
  ]);
  return { ...spec, hostMac, gatewayLladdr: hostMac, pinned: style.staticToHostVeth.length > 0 };
}

/** Host-side steps per pod once its veth is in the host namespace: bridge port or /32 route, Calico's MAC. */
function hostSideLines(p: WiredPod): string[] {
  const style = CNI_STYLES[p.cni ?? 'aws'];
  const mac = style.setAfterCreate && !p.macDidNotStick ? [`link set ${p.hostIfname} address ${style.setAfterCreate}`] : [];
  if (style.bridged) return [...mac, `link set ${p.hostIfname} master cni0 up`];
  return [...mac, `link set ${p.hostIfname} up`, `route add ${p.podIP}/32 dev ${p.hostIfname} scope link`];
}

export async function wirePods(specs: readonly PodSpec[], concurrency = 4): Promise<WiredPod[]> {
  // On the first failure stop starting pods, but let the ones in flight finish before reporting it: a rollback
  // that ran while a pod was still being wired could miss the veth that pod moves into the host afterwards.
  let failure: unknown = null;
  const settled = await mapLimit(specs, concurrency, async (spec) => {
    if (failure !== null) return null;
    try {
      return await wirePodSide(spec);
    } catch (e) {
      failure ??= e;
      return null;
    }
  });
  if (failure !== null) throw failure;
  const wired = settled as WiredPod[];
  if (wired.length > 0) {
    await ipBatch(null, wired.flatMap(hostSideLines));
    // What the host end carries now (Calico has just set its own MAC).
    const links = parseLinks(parseJsonStream(await ipBatch(null, ['link show type veth'], true))[0]);
    const macs = new Map(links.map((l) => [l.ifname, l.address]));
    for (const p of wired) p.hostMac = macs.get(p.hostIfname) ?? p.hostMac;
  }
  return wired;
}

/** Host veths whose peer sits in one of `netnsNames`: the only interfaces the lab may delete. */
export async function labOwnedHostVeths(netnsNames: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = await ipBatch(null, ['link show type veth', 'netns list-id'], true);
  const [linksDoc, idsDoc] = parseJsonStream(out);
  const nsNames = new Map<number, string>();
  for (const e of (idsDoc ?? []) as Array<{ nsid: number; name?: string }>) if (e.name) nsNames.set(e.nsid, e.name);
  const owned = new Map<string, string>();
  for (const l of parseLinks(linksDoc)) {
    const ns = l.linkNetnsid === null ? undefined : nsNames.get(l.linkNetnsid);
    if (ns && netnsNames.has(ns)) owned.set(l.ifname, ns);
  }
  return owned;
}

export async function existingNetns(): Promise<Set<string>> {
  const out = await ipBatch(null, ['netns list'], true);
  const [doc] = parseJsonStream(out);
  return new Set(((doc ?? []) as Array<{ name: string }>).map((n) => n.name));
}

/**
 * Deletes the given host veths (deleting one end removes the pair and its routes) and namespaces. Waits until the
 * kernel has really let go of the veths: namespace teardown is asynchronous.
 */
export async function removeWiring(hostVeths: readonly string[], namespaces: readonly string[]): Promise<void> {
  const lines = [...hostVeths.map((v) => `link del ${v}`), ...namespaces.map((n) => `netns del ${n}`)];
  // -force: keep going past an object that has already vanished.
  if (lines.length > 0) await run('ip', ['-force', '-batch', '-'], { input: lines.join('\n') + '\n', allowFailure: true, timeoutMs: 60_000 });
  const deadline = Date.now() + 10_000;
  const gone = new Set(hostVeths);
  const want = new Set(namespaces);
  for (;;) {
    const out = await ipBatch(null, ['link show type veth', 'netns list'], true);
    const [linksDoc, nsDoc] = parseJsonStream(out);
    const left = parseLinks(linksDoc).filter((l) => gone.has(l.ifname)).map((l) => l.ifname);
    const stillNs = ((nsDoc ?? []) as Array<{ name: string }>).map((n) => n.name).filter((n) => want.has(n));
    if (left.length === 0 && stillNs.length === 0) return;
    if (Date.now() > deadline) throw new LabError(`after deleting, still present: ${[...left, ...stillNs].slice(0, 10).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
