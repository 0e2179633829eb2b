// The lab's record of everything it made, so `down` removes exactly that and nothing else.
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { LabError } from './errors';

export const LAB_DIR = '/run/vethwatch-lab';
export const LAB_STATE_FILE = `${LAB_DIR}/state.json`;
export const LAB_NAMESPACE = 'vethwatch-lab';

const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

const labPodSchema = z.object({
  netns: z.string().regex(/^cni-[0-9a-f-]{36}$/),
  hostIfname: z.string().min(1).max(15),
  podIfname: z.literal('eth0'),
  podIP: z.string(),
  hostMac: mac,
  /** The host end's MAC when the CNI wired the pod: what its static entries pin (when `pinned`). */
  gatewayLladdr: mac,
  /** Whether the pod holds static neighbour entries for it (false for calico, flannel, bridge). */
  pinned: z.boolean().default(true),
  broken: z.boolean(),
  namespace: z.string(),
  name: z.string(),
  /** How the veth was made: the pre-v1.20.1 CNI order (kernel-random MAC, aat=1) or v1.20.1+ (MAC set, aat=3). */
  cniStyle: z.enum(['pre-1.20.1', 'v1.20.1']),
  /** The pod's pause process (lab up --pause), like the one containerd runs in every pod namespace. */
  pause: z.object({ pid: z.number().int().positive(), netnsInode: z.number().int().nonnegative() }).nullable().optional(),
});

const labStateSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  vethPrefix: z.string(),
  /** The ipam.json the lab wrote (only when none existed), and the directory it had to create for it. */
  ipamFile: z.string().nullable(),
  ipamDirCreated: z.string().nullable(),
  /** sha256 of what the lab wrote: down leaves the file alone if someone has changed it since. */
  ipamSha256: z.string().nullable(),
  /** Namespaces created before their pod was fully wired (a crash mid-up): down removes them too. */
  pendingNetns: z.array(z.string().regex(/^cni-[0-9a-f-]{36}$/)),
  pods: z.array(labPodSchema),
  /** Which CNI the lab imitates (lab up --cni); absent in state written before there was a choice. */
  cni: z.enum(['aws', 'azure', 'calico', 'flannel', 'bridge']).default('aws'),
  /** The CNI config file the lab wrote under LAB_DIR (never /etc/cni/net.d), for the agent's --cni-conf-dir. */
  cniConfFile: z.string().nullable().default(null),
  /** cni0 / flannel.1 the lab made (bridge CNIs), by name and ifindex. */
  devices: z
    .array(
      z.object({
        ifname: z.string(),
        ifindex: z.number().int().positive(),
        kind: z.enum(['bridge', 'vxlan']),
        macAtCreation: mac,
        mac,
        broken: z.boolean(),
      }),
    )
    .default([]),
});

export type LabPod = z.infer<typeof labPodSchema>;
export type LabState = z.infer<typeof labStateSchema>;
export type LabStateInput = z.input<typeof labStateSchema>;

export async function readLabState(): Promise<LabState | null> {
  let text: string;
  try {
    text = await readFile(LAB_STATE_FILE, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LabError(`cannot read ${LAB_STATE_FILE}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LabError(`${LAB_STATE_FILE} is not valid JSON; remove it by hand after checking what it lists`, { cause: e });
  }
  const parsed = labStateSchema.safeParse(json);
  if (!parsed.success) throw new LabError(`${LAB_STATE_FILE} does not look like lab state: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Written atomically: a crash leaves the previous state, never half a file. */
export async function writeLabState(state: LabState): Promise<void> {
  await mkdir(LAB_DIR, { recursive: true, mode: 0o755 });
  const tmp = `${LAB_STATE_FILE}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(labStateSchema.parse(state), null, 2) + '\n', { mode: 0o644 });
  await rename(tmp, LAB_STATE_FILE);
}

/** Claims the lab for one `up`: fails when another lab is already recorded, so two never share state. */
export async function claimLabState(state: LabState): Promise<void> {
  await mkdir(LAB_DIR, { recursive: true, mode: 0o755 });
  try {
    await writeFile(LAB_STATE_FILE, JSON.stringify(labStateSchema.parse(state), null, 2) + '\n', { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new LabError(`a lab is already up (${LAB_STATE_FILE}); run "lab down" first`);
    throw e;
  }
}

export async function removeLabState(): Promise<void> {
  await rm(LAB_STATE_FILE, { force: true });
  // Only if empty: anything else in there is not ours to delete.
  await rmdir(LAB_DIR).catch(() => undefined);
}
