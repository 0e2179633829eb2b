// Turning one scan into a remediation plan: the one planner both sides run. Pure: the report and the few host
// facts the report does not carry (every MAC in the host namespace, whether udevd answers, our drop-in's current
// text) come in as data, so every decision can be tested on report objects and previewed without touching a node.
// - The agent (agent/remediate/remediate.ts) reads those facts on the node and plans with them.
// - The server (planFromReport below) has only the node's report: it derives the facts from it. If the node
//   differs, the agent's plan id differs, it refuses `--plan-id` (exit 3) and its own plan becomes the evidence:
//   a stale or mistaken preview is never applied.
import { CNI_ADVICE } from '../nodes/cniAdvice';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { LinkVerdict, Report, Veth } from '../report/schema';
import { REMEDIATION_VERSION, type LeaveAlone, type Plan, type PlannedRepair } from '../report/remediation';
import { DROP_IN_CONTENT, DROP_IN_FOR, DROP_IN_NAME, DROP_IN_RELPATH, dropInPath } from './dropIn';

export interface HostLink {
  ifname: string;
  mac: string | null;
}

export interface UdevdStatus {
  running: boolean;
  detail: string;
}

export interface PlanInput {
  report: Report;
  /** Absolute path the drop-in is (or would be) at. */
  dropInPath: string;
  /** Its current content; null when absent. */
  existingDropIn: string | null;
  /** Every link in the host network namespace, for the "MAC already taken" check. */
  hostLinks: HostLink[];
  udevd: UdevdStatus;
  /** ISO time stamped on the plan; not part of its id. */
  now: string;
}

export { CNI_ADVICE };

export function describeVerdict(v: LinkVerdict): string {
  const file = v.linkFile ?? 'no .link file';
  const dropIns = v.dropIns.length > 0 ? ` with drop-ins ${v.dropIns.join(', ')}` : '';
  return `${file}${dropIns} gives MACAddressPolicy=${v.macAddressPolicy ?? '(unset)'}`;
}

const PROCESS_NETNS = /^net:\[\d+\]$/;

function isUsableUnicast(mac: string): boolean {
  // The kernel refuses a multicast source MAC (EADDRNOTAVAIL), and all-zero is no address at all.
  return (parseInt(mac.slice(0, 2), 16) & 1) === 0 && mac !== '00:00:00:00:00:00';
}

/**
 * Will our drop-in actually decide the policy for new veths? Only if 99-default.link is the file that matches them,
 * and no drop-in sorting after ours (drop-ins apply in file-name order, the last one wins) sets a policy again.
 */
export function dropInObstacles(report: Report): string[] {
  const obstacles: string[] = [];
  const v = report.linkPolicy.newVeth;
  if (v.linkFile !== null && path.basename(v.linkFile) !== DROP_IN_FOR) {
    obstacles.push(
      `new veths match ${v.linkFile}, not ${DROP_IN_FOR}, so a ${DROP_IN_FOR} drop-in does not change their policy; ` +
        `set MACAddressPolicy=none in that file (or an /etc override of it) instead`,
    );
  }
  for (const f of report.linkPolicy.files) {
    if (f.kind !== 'dropin' || f.dropInFor !== DROP_IN_FOR || f.masked) continue;
    const name = path.basename(f.path);
    if (name <= DROP_IN_NAME || f.macAddressPolicy === null) continue;
    if (f.macAddressPolicy.trim() === '' || f.macAddressPolicy === 'none') continue;
    obstacles.push(`${f.path} sorts after ${DROP_IN_NAME} and sets MACAddressPolicy=${f.macAddressPolicy}, overriding it`);
  }
  return obstacles;
}

function planDropIn(input: PlanInput, warnings: string[]): Plan['dropIn'] {
  const v = input.report.linkPolicy.newVeth;
  const base = { path: input.dropInPath, content: DROP_IN_CONTENT };
  const ours = input.existingDropIn === DROP_IN_CONTENT;
  const fragile = input.report.linkPolicy.fragile ?? [];
  if (!v.udevRewritesMac && fragile.length > 0) {
    // Safe today only until an upgrade/reboot/config run undoes the fix: the /etc drop-in makes that harmless.
    // The fragile file itself is left as it is (see fragileAdvice).
    const why = fragile.map((f) => `${f.path ?? f.kind} (${f.undoneBy})`).join('; ');
    if (ours) {
      warnings.push(`the fix is still fragile although ${input.dropInPath} is in place: ${why}`);
      return { ...base, action: 'keep', reason: `already in place, but new veths still depend on ${why}` };
    }
    return {
      ...base,
      action: 'write',
      reason:
        `new veths are safe only until ${why}; the drop-in in /etc keeps MACAddressPolicy=none when that happens` +
        (input.existingDropIn === null ? '' : `; replaces the different content now at ${input.dropInPath}`),
    };
  }
  if (!v.udevRewritesMac) {
    // e.g. persistent without a machine-id: the policy is there but udev cannot apply it.
    const inert = v.macAddressPolicy === 'persistent' || v.macAddressPolicy === 'random' ? ", which udev cannot apply here (see the report's findings)" : '';
    return {
      ...base,
      action: 'keep',
      reason: ours
        ? `already in place; new veths are safe: ${describeVerdict(v)}${inert}`
        : `not needed: new veths are already safe: ${describeVerdict(v)}${inert}`,
    };
  }
  const obstacles = dropInObstacles(input.report);
  warnings.push(...obstacles.map((o) => `new veths will still be rewritten: ${o}`));
  if (ours) {
    if (obstacles.length === 0) {
      warnings.push(`new veths are still rewritten although ${input.dropInPath} is in place: ${describeVerdict(v)}`);
    }
    return { ...base, action: 'keep', reason: `already in place, but ${describeVerdict(v)} for new veths` };
  }
  return {
    ...base,
    action: 'write',
    reason:
      `new veths are rewritten by udev: ${describeVerdict(v)}` +
      (input.existingDropIn === null ? '' : `; replaces the different content now at ${input.dropInPath}`),
  };
}

function planReload(dropIn: Plan['dropIn'], udevd: UdevdStatus): Plan['reload'] {
  if (dropIn.action === 'keep') return { run: false, reason: 'not needed: the drop-in is unchanged' };
  if (!udevd.running) return { run: false, reason: `skipped: ${udevd.detail}; it reads the drop-in when it starts` };
  return { run: true, reason: `${udevd.detail}; reload so the next veth add event uses the drop-in` };
}

function leaveAloneReason(v: Veth): string {
  switch (v.arpStatus) {
    case 'ok':
      return v.addrAssignType === 3
        ? "healthy: the host MAC matches the pod's gateway entry and was set by userspace (addr_assign_type 3), so udev leaves it alone"
        : "healthy: the host MAC matches the pod's gateway entry";
    case 'missing':
      return "the pod has no PERMANENT gateway neighbour entry: not this fault, nothing to restore";
    case 'unknown':
      return "the pod's neighbour table could not be read: not touched without evidence";
    case 'mismatch':
      return 'mismatch';
  }
}

function podOf(v: Veth): LeaveAlone['pod'] {
  return v.pod ? { namespace: v.pod.namespace, name: v.pod.name } : null;
}

/**
 * The MAC to give back when the agent listed the pod's static entries (veths[].neighbours): the one every PERMANENT
 * entry points at. Entries that disagree (one pinned to the host's current MAC, another elsewhere; two old MACs)
 * cannot all be right again by changing the host MAC, so the veth is explained and left alone. `undefined`: an
 * older agent sent no list, so the gateway entry alone decides, as before.
 */
export function agreedNeighbourMac(v: Pick<Veth, 'neighbours' | 'mac' | 'gatewayIp' | 'gatewayLladdr'>): { mac: string; entries: number } | { leave: string } | undefined {
  if (v.neighbours === undefined) return undefined;
  const permanent = v.neighbours.filter((n) => n.state.includes('PERMANENT'));
  const macs = [...new Set(permanent.map((n) => n.lladdr ?? 'none'))];
  if (permanent.length === 0) {
    const stale = v.neighbours.filter((n) => !n.matchesHost).map((n) => n.ip);
    return { leave: `the static entries that no longer match (${stale.join(', ') || 'none listed'}) are not PERMANENT; nothing pins a MAC to restore` };
  }
  if (macs.length > 1) {
    const list = permanent.map((n) => `${n.ip} -> ${n.lladdr ?? 'no address'}`).join(', ');
    return { leave: `the pod's PERMANENT entries disagree (${list}): no single host MAC satisfies them all, so nothing is changed; recreate the pod` };
  }
  if (macs[0] === 'none') return { leave: "the pod's PERMANENT entries have no link-layer address to restore" };
  return { mac: macs[0], entries: permanent.length };
}

function planRepair(v: Veth, takenBy: Map<string, string>): PlannedRepair | { leave: string; warn: boolean } {
  const agreed = agreedNeighbourMac(v);
  if (agreed !== undefined && 'leave' in agreed) return { leave: agreed.leave, warn: true };
  const lladdr = agreed?.mac ?? v.gatewayLladdr;
  if (lladdr === null) return { leave: "mismatch reported but the pod's gateway lladdr is unknown", warn: true };
  // neigh-replace rewrites the gateway entry only: with other PERMANENT entries pinned too it would leave them stale.
  const onlyGateway = agreed === undefined || (agreed.entries === 1 && v.gatewayLladdr === agreed.mac);
  const common = {
    hostIfname: v.ifname,
    netns: v.netns,
    pod: podOf(v),
    podIP: v.podIP,
    podIfname: v.peerIfname,
    gatewayIp: v.gatewayIp,
  };
  const owner = takenBy.get(lladdr);
  if (owner === undefined && isUsableUnicast(lladdr)) {
    return {
      ...common,
      method: 'set-host-mac',
      from: v.mac,
      to: lladdr,
      command: ['ip', 'link', 'set', 'dev', v.ifname, 'address', lladdr],
      reason:
        agreed !== undefined && agreed.entries > 1
          ? `udev rewrote the host MAC; give it back the MAC all ${agreed.entries} of the pod's PERMANENT entries point at (no namespace entry needed)`
          : `udev rewrote the host MAC; give it back the MAC the pod's PERMANENT entry for ${v.gatewayIp ?? 'its gateway'} points at (no namespace entry needed)`,
    };
  }
  const why = owner !== undefined ? `${lladdr} is already used by ${owner}` : `${lladdr} cannot be a host MAC`;
  if (!onlyGateway) {
    return { leave: `${why}, and the pod pins it in ${agreed!.entries} PERMANENT entries, more than the gateway entry a neighbour replace fixes`, warn: true };
  }
  if (v.netns === null || v.peerIfname === null || v.gatewayIp === null) {
    return { leave: `${why}, and the pod's netns/interface/gateway is unknown, so its neighbour entry cannot be fixed`, warn: true };
  }
  // `ip -n` needs a name under /var/run/netns; a namespace only a process holds is reported as "net:[inode]".
  if (PROCESS_NETNS.test(v.netns)) {
    return { leave: `${why}, and the pod's netns ${v.netns} has no name for ip -n, so its neighbour entry is not fixed`, warn: true };
  }
  return {
    ...common,
    method: 'neigh-replace',
    from: lladdr,
    to: v.mac,
    command: ['ip', '-n', v.netns, 'neigh', 'replace', v.gatewayIp, 'lladdr', v.mac, 'dev', v.peerIfname, 'nud', 'permanent'],
    reason: `${why}; point the pod's PERMANENT gateway entry at the host veth's current MAC instead`,
  };
}

/**
 * Only what the plan would change on the node feeds the id, so prose edits or a new healthy pod do not invalidate a
 * preview. Not the reload: whether udevd answers a ping is known only on the host, so the agent decides it when it
 * applies (and says so in the result); a node without a live udevd would otherwise never match a server preview.
 */
export function planId(p: Pick<Plan, 'node' | 'dropIn' | 'repairs'>): string {
  const material = {
    v: REMEDIATION_VERSION,
    node: p.node,
    dropIn: { path: p.dropIn.path, action: p.dropIn.action, content: p.dropIn.action === 'write' ? p.dropIn.content : null },
    repairs: p.repairs.map((r) => [r.hostIfname, r.netns, r.method, r.from, r.to, r.command]),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 16);
}

/**
 * For a package-owned file edited in place: once our drop-in is written, reinstalling the package is harmless, and
 * restoring the package's own copy is offered (never done by remediate) with the exact command. dpkg treats files
 * under /usr/lib as plain package files, not conffiles: a reinstall replaces the edit without asking.
 */
export function fragileAdvice(report: Report, dropIn: Plan['dropIn']): string[] {
  const out: string[] = [];
  const safeAfter = dropIn.action === 'write' || (dropIn.action === 'keep' && report.linkPolicy.newVeth.udevRewritesMac === false);
  for (const f of report.linkPolicy.fragile ?? []) {
    if (f.kind !== 'package-edited' || !f.package || f.path === null) continue;
    const pkg = f.package.name;
    const pinned = f.package.version ? `${pkg}=${f.package.version}` : pkg;
    if (safeAfter) {
      out.push(`${f.path} stays as edited; with ${dropIn.path} in place an upgrade or reinstall of ${pkg} is now harmless for new veths.`);
    }
    out.push(
      `Optional, not done by remediate: restore ${pkg}'s own copy of ${f.path} with \`apt-get install --reinstall ${pinned}\` ` +
        `(or \`dpkg -i /var/cache/apt/archives/${pkg}_<version>_<arch>.deb\`, after \`apt-get download ${pinned}\` if the cache has none); ` +
        `dpkg's conffile prompts do not apply under /usr/lib, so the edit is replaced without asking.`,
    );
  }
  return out;
}

export function buildPlan(input: PlanInput): Plan {
  const { report } = input;
  const warnings: string[] = [];
  const dropIn = planDropIn(input, warnings);
  const reload = planReload(dropIn, input.udevd);

  const takenBy = new Map<string, string>();
  for (const l of input.hostLinks) if (l.mac) takenBy.set(l.mac.toLowerCase(), l.ifname);

  const repairs: PlannedRepair[] = [];
  const leaveAlone: LeaveAlone[] = [];
  const veths = [...report.veths].sort((a, b) => (a.ifname < b.ifname ? -1 : a.ifname > b.ifname ? 1 : 0));
  for (const v of veths) {
    if (v.arpStatus !== 'mismatch') {
      leaveAlone.push({ hostIfname: v.ifname, pod: podOf(v), arpStatus: v.arpStatus, reason: leaveAloneReason(v) });
      continue;
    }
    const r = planRepair(v, takenBy);
    if ('leave' in r) {
      leaveAlone.push({ hostIfname: v.ifname, pod: podOf(v), arpStatus: v.arpStatus, reason: r.leave });
      if (r.warn) warnings.push(`${v.ifname} stays broken: ${r.leave}; recreate the pod`);
      continue;
    }
    repairs.push(r);
    // Two broken pods could point at the same old MAC; only the first can have it back.
    if (r.method === 'set-host-mac') takenBy.set(r.to, r.hostIfname);
  }

  const advice = [...(repairs.length > 0 || dropIn.action === 'write' ? [CNI_ADVICE] : []), ...fragileAdvice(report, dropIn)];
  return {
    version: REMEDIATION_VERSION,
    id: planId({ node: report.node, dropIn, repairs }),
    node: report.node,
    reportId: report.reportId,
    createdAt: input.now,
    newVeth: report.linkPolicy.newVeth,
    dropIn,
    reload,
    repairs,
    leaveAlone,
    warnings,
    advice,
  };
}

// --- the server's side: a plan from the report alone ---------------------------------------------------------------

export interface PlanHostFacts {
  hostLinks: HostLink[];
  udevd: UdevdStatus;
  existingDropIn: string | null;
}

const DROP_IN_SUFFIX = `/${DROP_IN_RELPATH}`;
const OUR_SHA256 = createHash('sha256').update(DROP_IN_CONTENT).digest('hex');

/**
 * The host facts as far as the node's report tells them: our drop-in's text (or hash) from linkPolicy.files, the
 * veths' MACs as the host links, and udevd assumed to answer (it does on every systemd node; the reload is not part
 * of the plan id, so a node where it does not still matches).
 */
function hostFactsFromReport(report: Report): PlanHostFacts {
  const file = report.linkPolicy.files.find((f) => f.path.endsWith(DROP_IN_SUFFIX));
  let existingDropIn: string | null = null;
  if (file) {
    // Without the text, equal hashes prove it is ours; any other value only has to differ from ours.
    existingDropIn = file.content ?? (file.sha256 === OUR_SHA256 ? DROP_IN_CONTENT : `(different content, sha256 ${file.sha256})`);
  }
  return {
    hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
    udevd: { running: true, detail: 'udevd is assumed to answer (the agent checks when it applies)' },
    existingDropIn,
  };
}

/** The plan the agent run with `--root root` would make on the node the report describes. */
export function planFromReport(report: Report, root: string, now: Date): Plan {
  const facts = hostFactsFromReport(report);
  return buildPlan({
    report,
    dropInPath: dropInPath(root),
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
