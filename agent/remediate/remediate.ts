// One remediation run: scan, plan, and then either show the plan or apply it, re-scan and verify. Returns the JSON
// document to print and the exit status; printing and the termination log are the caller's (cli.ts).
import os from 'node:os';
import type { Report } from '../../lib/report/schema';
import { scan } from '../scan';
import { applyPlan, type ApplyOutcome } from './apply';
import type { RemediateArgs } from './args';
import { dropInPath } from '../../lib/remediation/dropIn';
import { buildPlan } from '../../lib/remediation/plan';
import { readDropIn } from './dropIn';
import { hostLinks, udevdStatus } from './hostState';
import { EXIT, REMEDIATION_VERSION, type Plan, type PlanMismatch, type RemediationError, type RemediationResult } from '../../lib/report/remediation';
import { verify } from './verify';

/** The report's interval field is meaningless for a one-off scan; any valid value will do. */
const SCAN_INTERVAL_SECONDS = 60;

export type RemediateOutput =
  | { kind: 'plan'; exitCode: number; doc: Plan }
  | { kind: 'mismatch'; exitCode: number; doc: PlanMismatch }
  | { kind: 'result'; exitCode: number; doc: RemediationResult };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function scanNode(args: RemediateArgs): Promise<Report> {
  return scan({ root: args.root, node: args.node, intervalSeconds: SCAN_INTERVAL_SECONDS });
}

export async function makePlan(args: RemediateArgs, report: Report, now: Date): Promise<Plan> {
  const file = dropInPath(args.root);
  const [existingDropIn, links, udevd] = await Promise.all([readDropIn(file), hostLinks(), udevdStatus(args.root)]);
  return buildPlan({ report, dropInPath: file, existingDropIn, hostLinks: links, udevd, now: now.toISOString() });
}

function summarize(plan: Plan, outcome: ApplyOutcome, verified: boolean, errors: RemediationError[]): string {
  const repairs = outcome.applied.filter((a) => a.changed).length;
  const state = verified ? 'verified' : `NOT verified, ${errors.length} error(s)`;
  if (outcome.changed.length === 0) {
    const nothingToDo = plan.dropIn.action === 'keep' && plan.repairs.length === 0;
    return `changed nothing: ${nothingToDo ? 'new veths are safe and no pod needs repair' : 'planned changes did not happen'}; ${state}`;
  }
  const parts: string[] = [];
  if (plan.dropIn.action === 'write' && outcome.changed.some((c) => c.startsWith('wrote '))) parts.push(`wrote ${plan.dropIn.path}`);
  if (repairs > 0) parts.push(`repaired ${repairs} pod(s)`);
  return `${parts.join(', ')}; ${state}`;
}

function failureResult(node: string, startedAt: Date, now: Date, error: RemediationError, planId = ''): RemediationResult {
  return {
    version: REMEDIATION_VERSION,
    planId,
    node,
    startedAt: startedAt.toISOString(),
    finishedAt: now.toISOString(),
    changed: [],
    repaired: [],
    verified: false,
    errors: [error],
    notes: [],
    newVeth: null,
    summary: `changed nothing: ${error.step} failed: ${error.message}`,
    unchanged: true,
  };
}

export async function remediate(args: RemediateArgs, clock: () => Date = () => new Date()): Promise<RemediateOutput> {
  const startedAt = clock();
  const fallbackNode = args.node ?? os.hostname();

  let before: Report;
  try {
    before = await scanNode(args);
  } catch (e) {
    const doc = failureResult(fallbackNode, startedAt, clock(), { step: 'scan', hostIfname: null, message: message(e) });
    return { kind: 'result', exitCode: EXIT.failed, doc };
  }

  let plan: Plan;
  try {
    plan = await makePlan(args, before, startedAt);
  } catch (e) {
    const doc = failureResult(before.node, startedAt, clock(), { step: 'plan', hostIfname: null, message: message(e) });
    return { kind: 'result', exitCode: EXIT.failed, doc };
  }

  if (args.dryRun) return { kind: 'plan', exitCode: EXIT.ok, doc: plan };

  if (args.planId !== null && args.planId !== plan.id) {
    const doc: PlanMismatch = {
      version: REMEDIATION_VERSION,
      error: 'plan-changed',
      message: `the node changed since plan ${args.planId} was previewed; its plan is now ${plan.id}: nothing was done, preview again`,
      expectedPlanId: args.planId,
      plan,
    };
    return { kind: 'mismatch', exitCode: EXIT.planChanged, doc };
  }

  const outcome = await applyPlan(plan, { root: args.root });
  const errors = [...outcome.errors];
  const notes = [...outcome.notes, ...plan.warnings.map((w) => `warning: ${w}`)];

  let after: Report | null = null;
  try {
    after = await scanNode(args);
  } catch (e) {
    errors.push({ step: 'verify', hostIfname: null, message: `re-scan failed: ${message(e)}` });
  }
  const check = after
    ? verify(plan, after)
    : {
        ok: false,
        errors: [],
        repaired: plan.repairs.map((r) => ({ hostIfname: r.hostIfname, netns: r.netns, pod: r.pod, method: r.method, from: r.from, to: r.to, arpStatusAfter: null })),
      };
  errors.push(...check.errors);
  const verified = check.ok && errors.length === 0;

  const doc: RemediationResult = {
    version: REMEDIATION_VERSION,
    planId: plan.id,
    node: plan.node,
    startedAt: startedAt.toISOString(),
    finishedAt: clock().toISOString(),
    changed: outcome.changed,
    repaired: check.repaired.filter((r) => outcome.applied.some((a) => a.repair.hostIfname === r.hostIfname)),
    verified,
    errors,
    notes,
    newVeth: after?.linkPolicy.newVeth ?? null,
    summary: summarize(plan, outcome, verified, errors),
    ...(outcome.changed.length === 0 ? { unchanged: true as const } : {}),
  };
  return { kind: 'result', exitCode: verified ? EXIT.ok : EXIT.failed, doc };
}
