// A lab of pod namespaces wired like the Amazon VPC CNI wires them, some broken by real udev, for tests and
// demos. Every namespace, veth and file it makes is recorded in the state file first, and `down` removes only
// what the state lists and the kernel confirms is the lab's (a host veth whose peer is in a lab namespace).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../collect/exec';
import { IPAM_JSON } from '../collect/ipam';
import { CNI_STYLES, type LabCni } from './cnis';
import { checkDevicesAbsent, createDevices, devicesFor, hostLinks, removeDevices } from './devices';
import { LabError } from './errors';
import { labPodIP, podNetnsName, randomPodName } from './names';
import { LAB_DIR, LAB_NAMESPACE, type LabPod, type LabState, claimLabState, readLabState, removeLabState, writeLabState } from './state';
import { startPauses, stopPauses } from './pause';
import { applyLinkPolicy, runLinkSetup } from './udev';
import { type PodSpec, addNamespaces, labOwnedHostVeths, existingNetns, removeWiring, wirePods } from './wiring';

export { LabError } from './errors';
export { readLabState, LAB_STATE_FILE } from './state';
export type { LabPod, LabState } from './state';

export const MAX_LAB_PODS = 500;
/** Bridge CNIs put every pod in cni0's 10.244.0.0/24. */
export const MAX_BRIDGED_LAB_PODS = 250;
/** The lab's own CNI config directory (the agent reads it with --cni-conf-dir); /etc/cni/net.d is never touched. */
export const LAB_CNI_CONF_DIR = `${LAB_DIR}/cni/net.d`;
export { LAB_CNIS, type LabCni } from './cnis';

export interface LabUpOptions {
  pods: number;
  broken: number;
  /** How many extra pods to wire the CNI >= v1.20.1 way (MAC set at creation, aat=3); udev leaves those alone. */
  modern?: number;
  /** Start a pause process in every pod namespace, as containerd does on a node (default: bind mounts only). */
  pause?: boolean;
  /** Which CNI's wiring to imitate (default aws). `modern` pods (and, when every pod is modern, the devices) use its fixed release's way. */
  cni?: LabCni;
}

export interface LabDownSummary {
  veths: number;
  namespaces: number;
  ipamFileRemoved: boolean;
  notes: string[];
}

function requireRoot(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new LabError('the lab creates network namespaces and veths and runs udevadm: it needs root');
  }
}

function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new LabError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function ipamJson(pods: readonly LabPod[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    version: 'vpc-cni-ipam/1',
    allocations: pods.map((p, i) => ({
      networkName: 'aws-cni',
      containerID: createHash('sha256').update(p.netns).digest('hex'),
      ifName: 'eth0',
      ipv4: p.podIP,
      // A JSON number as the CNI writes it (nanoseconds); precision beyond 2^53 does not matter to readers here.
      allocationTimestamp: Number(now + BigInt(i)),
      metadata: { k8sPodNamespace: p.namespace, k8sPodName: p.name },
    })),
  });
}

/** Writes ipam.json only when the host has none; records it (and a created directory) in the state first. */
async function writeIpamIfAbsent(state: LabState): Promise<void> {
  const dir = path.dirname(IPAM_JSON);
  const dirExisted = await stat(dir).then(
    () => true,
    () => false,
  );
  const text = ipamJson(state.pods);
  const sha = createHash('sha256').update(text).digest('hex');
  if (!dirExisted) {
    state.ipamDirCreated = dir;
    await writeLabState(state);
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }
  try {
    await writeFile(IPAM_JSON, text, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return; // someone else's file: leave it be
    throw e;
  }
  state.ipamFile = IPAM_JSON;
  state.ipamSha256 = sha;
  await writeLabState(state);
}

export async function labUp(opts: LabUpOptions): Promise<LabState> {
  requireRoot();
  const modern = opts.modern ?? 0;
  const cni = opts.cni ?? 'aws';
  const style = CNI_STYLES[cni];
  checkCount('pods', opts.pods, 1, style.bridged ? MAX_BRIDGED_LAB_PODS : MAX_LAB_PODS);
  checkCount('modern', modern, 0, opts.pods);
  checkCount('broken', opts.broken, 0, opts.pods - modern);
  if (opts.broken > 0) {
    await run('udevadm', ['--version']).catch((e) => {
      throw new LabError(`breaking pods needs udevadm (apt-get install udev): ${(e as Error).message}`);
    });
  }

  if (devicesFor(cni).length > 0) await checkDevicesAbsent(cni);

  const specs: Array<PodSpec & { namespace: string; name: string }> = [];
  const usedNames = new Set<string>();
  // Which pre-fix pods udev will break, chosen now: a Calico pod breaks because its ee:ee:... did not stick.
  const toBreak = new Set(shuffle(Array.from({ length: opts.pods - modern }, (_, i) => i)).slice(0, opts.broken));
  for (let i = 0; i < opts.pods; i++) {
    let name = randomPodName(i);
    let hostIfname = style.hostVethName(LAB_NAMESPACE, name);
    while (usedNames.has(hostIfname)) {
      name = randomPodName(i);
      hostIfname = style.hostVethName(LAB_NAMESPACE, name);
    }
    usedNames.add(hostIfname);
    specs.push({
      netns: podNetnsName(),
      hostIfname,
      podIP: labPodIP(i),
      cniStyle: i >= opts.pods - modern ? 'v1.20.1' : 'pre-1.20.1',
      cni,
      macDidNotStick: toBreak.has(i),
      namespace: LAB_NAMESPACE,
      name,
    });
  }

  const state: LabState = {
    version: 1,
    createdAt: new Date().toISOString(),
    vethPrefix: style.hostVethName('', '').replace(/[0-9a-f]+$/, ''),
    ipamFile: null,
    ipamDirCreated: null,
    ipamSha256: null,
    pendingNetns: specs.map((s) => s.netns),
    pods: [],
    cni,
    cniConfFile: `${LAB_CNI_CONF_DIR}/${style.configName}`,
    devices: [],
  };
  await claimLabState(state);
  try {
    await mkdir(LAB_CNI_CONF_DIR, { recursive: true, mode: 0o755 });
    await writeFile(state.cniConfFile!, JSON.stringify(style.config, null, 2) + '\n', { mode: 0o644 });
    state.devices = await createDevices(cni, opts.pods > 0 && modern === opts.pods).catch(async (e: unknown) => {
      // Whatever did get created is the lab's: record it by name so down removes it.
      const links = await hostLinks();
      state.devices = devicesFor(cni).flatMap((d) => {
        const l = links.get(d);
        return l?.mac ? [{ ifname: d, ifindex: l.ifindex, kind: d === 'cni0' ? ('bridge' as const) : ('vxlan' as const), macAtCreation: l.mac, mac: l.mac, broken: false }] : [];
      });
      throw e;
    });
    await writeLabState(state);
    await addNamespaces(specs.map((s) => s.netns));
    const wired = await wirePods(specs);
    state.pods = wired.map((w, i) => ({
      netns: w.netns,
      hostIfname: w.hostIfname,
      podIfname: 'eth0',
      podIP: w.podIP,
      hostMac: w.hostMac,
      gatewayLladdr: w.gatewayLladdr,
      pinned: w.pinned,
      broken: false,
      namespace: specs[i].namespace,
      name: specs[i].name,
      cniStyle: w.cniStyle,
    }));
    state.pendingNetns = [];
    await writeLabState(state);
    if (opts.pause) {
      const pauses = await startPauses(state.pods.map((p) => p.netns));
      for (const pod of state.pods) pod.pause = pauses.get(pod.netns) ?? null;
      await writeLabState(state);
    }
    if (cni === 'aws') await writeIpamIfAbsent(state);

    for (const i of toBreak) {
      const pod = state.pods[i];
      const { after } = await applyLinkPolicy(pod.hostIfname);
      pod.hostMac = after;
      pod.broken = true;
      await writeLabState(state);
    }
    // A bridge follows its ports' MACs until someone sets one: record what each device carries now.
    const now = await hostLinks();
    for (const d of state.devices) d.mac = now.get(d.ifname)?.mac ?? d.mac;
    // The devices as udev treats them after the pods came: real udev decides whether their MAC changes.
    if (opts.broken > 0) {
      for (const d of state.devices) {
        const r = await runLinkSetup(d.ifname);
        d.mac = r.after;
        d.broken = r.after !== r.before;
      }
    }
    await writeLabState(state);
    return state;
  } catch (e) {
    await labDown().catch((downErr) => {
      throw new LabError(`${(e as Error).message}; cleaning up also failed: ${(downErr as Error).message}`, { cause: e });
    });
    throw e;
  }
}

export async function labDown(): Promise<LabDownSummary> {
  requireRoot();
  const state = await readLabState();
  const notes: string[] = [];
  if (!state) return { veths: 0, namespaces: 0, ipamFileRemoved: false, notes: ['no lab is up'] };

  // Pause processes first: a namespace a process still holds outlives its bind mount.
  await stopPauses(state.pods.flatMap((p) => (p.pause ? [p.pause] : [])));
  const ours = new Set([...state.pods.map((p) => p.netns), ...state.pendingNetns]);
  const owned = await labOwnedHostVeths(ours);
  for (const p of state.pods) {
    if (!owned.has(p.hostIfname)) notes.push(`${p.hostIfname} is gone or no longer paired with ${p.netns}; left alone`);
  }
  const namespaces = [...(await existingNetns())].filter((n) => ours.has(n));
  await removeWiring([...owned.keys()], namespaces);
  notes.push(...(await removeDevices(state.devices)));
  if (state.cniConfFile) {
    await rm(state.cniConfFile, { force: true });
    await rmdir(LAB_CNI_CONF_DIR).catch(() => undefined);
    await rmdir(path.dirname(LAB_CNI_CONF_DIR)).catch(() => undefined);
  }

  let ipamFileRemoved = false;
  if (state.ipamFile) {
    const current = await readFile(state.ipamFile).catch(() => null);
    if (current && createHash('sha256').update(current).digest('hex') === state.ipamSha256) {
      await rm(state.ipamFile, { force: true });
      ipamFileRemoved = true;
    } else if (current) {
      notes.push(`${state.ipamFile} changed since the lab wrote it; left alone`);
    }
  }
  if (state.ipamDirCreated) await rmdir(state.ipamDirCreated).catch(() => notes.push(`${state.ipamDirCreated} not empty; left alone`));
  await removeLabState();
  return { veths: owned.size, namespaces: namespaces.length, ipamFileRemoved, notes };
}

/** Breaks one more lab pod with real udev. Refuses anything the lab did not create. */
export async function labBreak(hostIfname: string): Promise<{ before: string; after: string }> {
  requireRoot();
  const state = await readLabState();
  if (!state) throw new LabError('no lab is up');
  const pod = state.pods.find((p) => p.hostIfname === hostIfname);
  if (!pod) throw new LabError(`${hostIfname} is not one of the lab's interfaces; the lab never touches interfaces it did not create`);
  const owned = await labOwnedHostVeths(new Set([pod.netns]));
  if (!owned.has(hostIfname)) throw new LabError(`${hostIfname} is no longer paired with the lab namespace ${pod.netns}; refusing to touch it`);
  if (pod.broken) throw new LabError(`${hostIfname} is already broken`);
  const result = await applyLinkPolicy(hostIfname);
  pod.hostMac = result.after;
  pod.broken = true;
  await writeLabState(state);
  return result;
}

/** `--pod` accepts a host interface name or a 0-based index into the lab's pods. */
export async function resolveLabPod(ref: string): Promise<string> {
  const state = await readLabState();
  if (!state) throw new LabError('no lab is up');
  if (/^\d+$/.test(ref)) {
    const pod = state.pods[Number(ref)];
    if (!pod) throw new LabError(`no lab pod with index ${ref} (the lab has ${state.pods.length})`);
    return pod.hostIfname;
  }
  return ref;
}
