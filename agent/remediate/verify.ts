// Judging a fresh scan taken after apply. Pure: a remediation counts as verified only if the node itself now says
// so (the resolver finds new veths safe, every repaired pod's gateway entry matches), never because commands
// exited 0. A drop-in overridden by a later-sorting one is caught here.
import type { Report } from '../../lib/report/schema';
import { describeVerdict } from '../../lib/remediation/plan';
import type { Plan, RemediationError, RepairOutcome } from '../../lib/report/remediation';

export interface Verification {
  ok: boolean;
  errors: RemediationError[];
  repaired: RepairOutcome[];
}

export function verify(plan: Plan, after: Report): Verification {
  const errors: RemediationError[] = [];
  const byName = new Map(after.veths.map((v) => [v.ifname, v]));

  const nv = after.linkPolicy.newVeth;
  if (nv.udevRewritesMac) {
    errors.push({ step: 'verify', hostIfname: null, message: `new veths are still rewritten by udev: ${describeVerdict(nv)}` });
  }

  const repaired: RepairOutcome[] = plan.repairs.map((r) => {
    const v = byName.get(r.hostIfname);
    const arpStatusAfter = v?.arpStatus ?? null;
    if (v === undefined) {
      errors.push({ step: 'verify', hostIfname: r.hostIfname, message: 'the veth is gone from the re-scan (pod deleted?)' });
    } else if (v.arpStatus !== 'ok') {
      errors.push({
        step: 'verify',
        hostIfname: r.hostIfname,
        message: `still ${v.arpStatus} after ${r.method}: host MAC ${v.mac}, pod gateway lladdr ${v.gatewayLladdr ?? 'none'}`,
      });
    }
    return { hostIfname: r.hostIfname, netns: r.netns, pod: r.pod, method: r.method, from: r.from, to: r.to, arpStatusAfter };
  });

  // Remediation must never break what was healthy.
  for (const l of plan.leaveAlone) {
    if (l.arpStatus !== 'ok') continue;
    const v = byName.get(l.hostIfname);
    if (v !== undefined && v.arpStatus !== 'ok') {
      errors.push({ step: 'verify', hostIfname: l.hostIfname, message: `was healthy before remediation, now ${v.arpStatus}` });
    }
  }

  return { ok: errors.length === 0, errors, repaired };
}
