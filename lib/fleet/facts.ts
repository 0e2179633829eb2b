// Reshapes one stored report into the few facts the cross-node checks compare. Pure. Reports from agents older
// than these fields (no hostDevices / overlay / machineIdHash) give empty facts, so they simply take no part.
import type { NodeCrossFacts } from './types';

export const FLANNEL_DEVICE = 'flannel.1';
const ZERO_MAC = '00:00:00:00:00:00';

/** The report fields read here (all optional in report v1: docs/report-format.md). */
interface CrossNodeReportFields {
  machineIdHash?: string | null;
  hostDevices?: ReadonlyArray<{ ifname: string; mac: string | null }>;
  overlay?: {
    fdb: ReadonlyArray<{ mac: string; dst: string | null; dev: string }>;
    neighbours: ReadonlyArray<{ ip: string; lladdr: string | null; dev: string; state: readonly string[] }>;
  };
}

export function crossFactsOf(report: object): NodeCrossFacts {
  const r = report as CrossNodeReportFields;
  const devices = r.hostDevices ?? [];
  const overlay = r.overlay ?? { fdb: [], neighbours: [] };
  return {
    machineIdHash: r.machineIdHash ?? null,
    flannelMac: devices.find((d) => d.ifname === FLANNEL_DEVICE)?.mac ?? null,
    hostMacs: devices.flatMap((d) => (d.mac ? [{ ifname: d.ifname, mac: d.mac }] : [])),
    // An all-zero MAC is a default (flood) entry, not a claim about any VTEP's MAC.
    fdb: overlay.fdb.flatMap((e) => (e.dev === FLANNEL_DEVICE && e.dst && e.mac !== ZERO_MAC ? [{ mac: e.mac, dst: e.dst }] : [])),
    // flannel programs its VTEP neighbours PERMANENT; learnt (REACHABLE, STALE...) ones are the kernel's own.
    neighbours: overlay.neighbours.flatMap((n) =>
      n.dev === FLANNEL_DEVICE && n.lladdr && n.state.includes('PERMANENT') ? [{ ip: n.ip, lladdr: n.lladdr }] : [],
    ),
  };
}
