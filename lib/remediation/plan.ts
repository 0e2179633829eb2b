import 'server-only';
// The plan the server previews is built by the agent's own pure planner (agent/remediate/plan.ts) from the node's
// latest stored report, so its id is the id the agent computes on the node and `--plan-id` accepts it. The planner
// also needs three host facts a report does not carry; where they come from depends on the executor:
// - local: this host IS the node, so they are read here exactly as the agent reads them;
// - kubernetes: derived from the report (the drop-in's text is in linkPolicy.files, host MACs of the veths), and
//   udevd is assumed to answer (every systemd node runs it). If the node differs, the agent refuses with exit 3
//   and its fresh plan is stored as evidence: a stale preview is never applied.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DROP_IN_CONTENT, DROP_IN_FOR, DROP_IN_NAME, DROP_IN_RELPATH, readDropIn } from '../../agent/remediate/dropIn';
import { hostLinks, udevdStatus } from '../../agent/remediate/hostState';
import { buildPlan, type HostLink, type UdevdStatus } from '../../agent/remediate/plan';
import type { Plan } from '../../agent/remediate/schema';
import type { Report } from '../report/schema';

export interface PlanHostFacts {
  hostLinks: HostLink[];
  udevd: UdevdStatus;
  existingDropIn: string | null;
}

/** Where the agent puts the drop-in for a given `--root` (the path is part of the plan id). */
export function dropInPathFor(root: string): string {
  return path.join(path.resolve(root), DROP_IN_RELPATH);
}

const DROP_IN_SUFFIX = `/etc/systemd/network/${DROP_IN_FOR}.d/${DROP_IN_NAME}`;
const OUR_SHA256 = createHash('sha256').update(DROP_IN_CONTENT).digest('hex');

/** Host facts for a node the server cannot look at, from what its report says. */
export function hostFactsFromReport(report: Report): PlanHostFacts {
  const file = report.linkPolicy.files.find((f) => f.path.endsWith(DROP_IN_SUFFIX));
  let existingDropIn: string | null = null;
  if (file) {
    // Without the text, equal hashes prove it is ours; any other value only has to differ from ours.
    existingDropIn = file.content ?? (file.sha256 === OUR_SHA256 ? DROP_IN_CONTENT : `(different content, sha256 ${file.sha256})`);
  }
  return {
    hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
    udevd: { running: true, detail: 'udevd is assumed to run on a Kubernetes node' },
    existingDropIn,
  };
}

/** Host facts for this host, read the way `agent remediate` reads them (read-only). */
export async function localHostFacts(root = '/'): Promise<PlanHostFacts> {
  const [links, udevd, existingDropIn] = await Promise.all([hostLinks(), udevdStatus(root), readDropIn(dropInPathFor(root))]);
  return { hostLinks: links, udevd, existingDropIn };
}

/** The agent's plan for this report, as the agent run with `--root root` would make it given these facts. */
export function planFromReport(report: Report, facts: PlanHostFacts, root: string, now: Date): Plan {
  return buildPlan({
    report,
    dropInPath: dropInPathFor(root),
    existingDropIn: facts.existingDropIn,
    hostLinks: facts.hostLinks,
    udevd: facts.udevd,
    now: now.toISOString(),
  });
}

/** A plan that changes nothing: applying it would only re-scan. */
export function planIsEmpty(plan: Plan): boolean {
  return plan.repairs.length === 0 && plan.dropIn.action === 'keep' && !plan.reload.run;
}
