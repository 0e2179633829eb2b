// npm run lab -- up --pods N --broken K [--modern M] [--cni aws|azure|calico|flannel|bridge] | down | break --pod <hostIfname|index> | status
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LAB_CNIS, LAB_CNI_CONF_DIR, type LabCni, LabError, labBreak, labDown, labUp, readLabState, resolveLabPod } from './lab';

const USAGE = `usage: npm run lab -- <command>
  up --pods N [--broken K] [--modern M] [--pause] [--cni aws|azure|calico|flannel|bridge]
                                          wire N pod namespaces like the VPC CNI; break K of them with real udev;
                                          make the last M the CNI >= v1.20.1 way (MAC set, udev leaves them alone);
                                          --pause: a process in every pod namespace, like containerd's pause
                                          --cni: wire as that CNI does (default aws; docs/cnis.md); its config
                                          goes to ${LAB_CNI_CONF_DIR} (agent: --cni-conf-dir ${LAB_CNI_CONF_DIR})
  down                                    remove everything the lab made
  break --pod <hostIfname|index>          break one more lab pod with real udev
  status                                  the lab's state as JSON (null when no lab is up)`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function summary(state: Awaited<ReturnType<typeof readLabState>>) {
  if (!state) return null;
  return {
    pods: state.pods.length,
    broken: state.pods.filter((p) => p.broken).map((p) => p.hostIfname),
    ipamFile: state.ipamFile,
    cni: state.cni,
    cniConfFile: state.cniConfFile,
    devices: state.devices.map((d) => ({ ifname: d.ifname, macAtCreation: d.macAtCreation, mac: d.mac, broken: d.broken })),
  };
}

function cniOption(value: string | undefined): LabCni {
  if (value === undefined) return 'aws';
  if (!(LAB_CNIS as readonly string[]).includes(value)) throw new UsageError(`--cni must be one of ${LAB_CNIS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as LabCni;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { pods: { type: 'string' }, broken: { type: 'string' }, modern: { type: 'string' }, pod: { type: 'string' }, pause: { type: 'boolean' }, cni: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  switch (command) {
    case 'up': {
      const state = await labUp({
        pods: intOption(values.pods, 'pods'),
        broken: intOption(values.broken, 'broken', 0),
        modern: intOption(values.modern, 'modern', 0),
        pause: values.pause === true,
        cni: cniOption(values.cni),
      });
      console.log(JSON.stringify(summary(state), null, 2));
      return 0;
    }
    case 'down': {
      const s = await labDown();
      console.log(JSON.stringify(s, null, 2));
      return 0;
    }
    case 'break': {
      if (!values.pod) throw new UsageError('--pod is required');
      const ifname = await resolveLabPod(values.pod);
      const r = await labBreak(ifname);
      console.log(JSON.stringify({ pod: ifname, ...r }, null, 2));
      return 0;
    }
    case 'status': {
      // Root only, like every lab command: the state names host interfaces and namespaces.
      if (process.getuid?.() !== 0) throw new LabError('the lab needs root');
      console.log(JSON.stringify(await readLabState(), null, 2));
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'no command given');
  }
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
        console.error(`lab: ${(e as Error).message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(`lab: ${e instanceof LabError ? e.message : ((e as Error).stack ?? String(e))}`);
      process.exit(1);
    },
  );
}
