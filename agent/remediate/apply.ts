// Carrying out a plan: the drop-in, the udevd reload, the per-pod repairs. Each repair first re-reads the value it
// is about to replace, so a node that moved on since the scan is reported rather than overwritten, and reads the
// value back afterwards. Failures are collected, never thrown, so one broken pod does not stop the others.
// Every command goes through runArgv (spawn.ts): argv arrays only, never a shell, only what remediation runs.
import { runArgv } from './spawn';
import { parseLinks, parseNeighbours } from '../collect/ipJson';
import { writeDropIn } from './dropIn';
import { udevadmCommand } from './hostState';
import type { Plan, PlannedRepair, RemediationError, RepairMethod } from './schema';

export async function readHostMac(ifname: string): Promise<string | null> {
  const out = await runArgv(['ip', '-j', 'link', 'show', 'dev', ifname]);
  const link = parseLinks(JSON.parse(out))[0];
  return link?.address?.toLowerCase() ?? null;
}

export async function readGatewayLladdr(netns: string, gatewayIp: string, dev: string): Promise<string | null> {
  const out = await runArgv(['ip', '-n', netns, '-j', 'neigh', 'show', 'to', gatewayIp, 'dev', dev]);
  const n = parseNeighbours(out.trim() === '' ? [] : JSON.parse(out)).find((e) => e.dst === gatewayIp);
  return n?.lladdr ?? null;
}

async function currentValue(r: PlannedRepair): Promise<string | null> {
  if (r.method === 'set-host-mac') return readHostMac(r.hostIfname);
  // planRepair only picks neigh-replace when all three are known.
  return readGatewayLladdr(r.netns!, r.gatewayIp!, r.podIfname!);
}

function what(method: RepairMethod): string {
  return method === 'set-host-mac' ? 'host veth MAC' : "pod's gateway lladdr";
}

export interface AppliedRepair {
  repair: PlannedRepair;
  /** False when the value was already right and nothing was run. */
  changed: boolean;
}

export interface ApplyOutcome {
  changed: string[];
  applied: AppliedRepair[];
  errors: RemediationError[];
  notes: string[];
}

export interface ApplyOptions {
  root: string;
}

async function applyRepair(r: PlannedRepair, out: ApplyOutcome): Promise<void> {
  const fail = (message: string) => out.errors.push({ step: 'repair', hostIfname: r.hostIfname, message });
  try {
    const before = await currentValue(r);
    if (before === r.to) {
      out.notes.push(`${r.hostIfname}: ${what(r.method)} is already ${r.to}; nothing to do`);
      out.applied.push({ repair: r, changed: false });
      return;
    }
    if (before !== r.from) {
      fail(`${what(r.method)} is now ${before ?? 'absent'}, not ${r.from} as planned; not touched (re-run to re-plan)`);
      return;
    }
    await runArgv(r.command);
    const after = await currentValue(r);
    if (after !== r.to) {
      fail(`ran "${r.command.join(' ')}" but the ${what(r.method)} reads ${after ?? 'absent'}, not ${r.to}`);
      return;
    }
    const where = r.method === 'set-host-mac' ? r.hostIfname : `${r.netns} ${r.podIfname} ${r.gatewayIp}`;
    out.changed.push(`${r.hostIfname}: ${r.method} ${where} ${r.from} -> ${r.to}`);
    out.applied.push({ repair: r, changed: true });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { changed: [], applied: [], errors: [], notes: [] };

  let dropInWritten = false;
  if (plan.dropIn.action === 'write') {
    try {
      await writeDropIn(plan.dropIn.path, plan.dropIn.content);
      dropInWritten = true;
      out.changed.push(`wrote ${plan.dropIn.path}`);
    } catch (e) {
      out.errors.push({ step: 'drop-in', hostIfname: null, message: e instanceof Error ? e.message : String(e) });
    }
  }

  if (plan.reload.run && dropInWritten) {
    const [cmd, args] = udevadmCommand(opts.root, ['control', '--reload']);
    try {
      await runArgv([cmd, ...args]);
      out.changed.push(`ran ${[cmd, ...args].join(' ')}`);
    } catch (e) {
      out.errors.push({ step: 'reload', hostIfname: null, message: e instanceof Error ? e.message : String(e) });
    }
  } else if (plan.dropIn.action === 'write' || plan.reload.run) {
    out.notes.push(dropInWritten ? `udevadm control --reload ${plan.reload.reason}` : 'udevadm control --reload skipped: the drop-in was not written');
  }

  // Repairs go after the policy: a pod created meanwhile then cannot be broken by the old policy again.
  for (const r of plan.repairs) await applyRepair(r, out);
  return out;
}
