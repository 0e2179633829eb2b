// Run mode with --remediate: this node's remediations, carried out by the agent that already runs here as root,
// so the server needs no privilege and spawns nothing (lib/remediation/localExecutor.ts is the other side). Every
// POLL_MS the agent asks for its node's next pending remediation; a claimed one runs in this process exactly as
// `agent remediate --plan-id ID` would (scan, re-plan, refuse a plan id that differs, apply, re-scan, verify), and
// the document that command would print is posted back with its exit status. The wire format is
// lib/report/remediation.ts.
import os from 'node:os';
import {
  AGENT_CLAIM_PATH,
  agentAssignmentSchema,
  agentResultPath,
  type AgentAssignment,
  type AgentRunReport,
} from '../../lib/report/remediation';
import { post } from '../deliver/post';
import type { TokenSource } from '../deliver/token';
import type { Logger } from '../log';
import type { RemediateArgs } from './args';
import { remediate, type RemediateOutput } from './remediate';
import { sleep } from '../../lib/time/sleep';

export const POLL_MS = 2000;
/** A result is posted again on network errors and 5xx, this many times at most, waiting up to 30 s between. */
const RESULT_ATTEMPTS = 12;

export interface PullOptions {
  server: URL;
  token: string | TokenSource;
  /** The node this agent reports as; only its remediations are asked for. */
  node: string | undefined;
  root: string;
  requestTimeoutMs: number;
  log: Logger;
  pollMs?: number;
  /** Default: agent/remediate/remediate.ts, the same run `agent remediate` makes. */
  run?: (args: RemediateArgs) => Promise<RemediateOutput>;
}

function url(server: URL, p: string): URL {
  const base = new URL(server.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(p.replace(/^\//, ''), base);
}

function headers(token: string | TokenSource): Record<string, string> {
  return { authorization: `Bearer ${typeof token === 'string' ? token : token()}`, 'content-type': 'application/json' };
}


/** One claim: the assignment, or null when the server has nothing for this node. Throws on anything unexpected. */
export async function claimOnce(opts: PullOptions, node: string, signal?: AbortSignal): Promise<AgentAssignment | null> {
  const answer = await post(url(opts.server, AGENT_CLAIM_PATH), headers(opts.token), JSON.stringify({ node }), opts.requestTimeoutMs, signal);
  if (answer.status === 204) return null;
  if (answer.status !== 200) throw new Error(`claim answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const parsed = agentAssignmentSchema.safeParse(JSON.parse(answer.text));
  if (!parsed.success || parsed.data.node !== node) throw new Error(`claim answered an assignment this agent cannot take: ${answer.text.slice(0, 300)}`);
  return parsed.data;
}

/** Posts the run's outcome until the server takes it (2xx) or refuses it for good (4xx). True when taken. */
export async function postResult(opts: PullOptions, assignment: AgentAssignment, report: AgentRunReport): Promise<boolean> {
  const target = url(opts.server, agentResultPath(assignment.remediationId));
  const body = JSON.stringify(report);
  for (let attempt = 1; attempt <= RESULT_ATTEMPTS; attempt++) {
    try {
      const answer = await post(target, headers(opts.token), body, opts.requestTimeoutMs);
      if (answer.status >= 200 && answer.status < 300) return true;
      if (answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
        opts.log.error('the server refused the remediation result', { remediationId: assignment.remediationId, status: answer.status, answer: answer.text.slice(0, 500) });
        return false;
      }
      opts.log.warn('posting the remediation result failed; retrying', { remediationId: assignment.remediationId, status: answer.status, attempt });
    } catch (err) {
      opts.log.warn('posting the remediation result failed; retrying', { remediationId: assignment.remediationId, error: err, attempt });
    }
    await sleep(Math.min(30_000, 500 * 2 ** attempt));
  }
  return false;
}

/** Carries out one claimed remediation and reports it. Never throws. */
export async function carryOut(opts: PullOptions, assignment: AgentAssignment): Promise<void> {
  const { log } = opts;
  log.info('remediation claimed', { ...assignment });
  const run = opts.run ?? ((args: RemediateArgs) => remediate(args));
  let output: RemediateOutput;
  try {
    output = await run({ help: false, dryRun: false, planId: assignment.planId, root: opts.root, node: assignment.node, terminationLog: null });
  } catch (err) {
    // remediate() reports failures in its result; a throw is a bug. The server fails the run when no result comes.
    log.error('remediation failed internally; no result to report', { remediationId: assignment.remediationId, error: err });
    return;
  }
  if (output.kind === 'plan') {
    log.error('remediation produced a plan instead of a result; not reported', { remediationId: assignment.remediationId });
    return;
  }
  log.info('remediation done', { remediationId: assignment.remediationId, exitCode: output.exitCode, kind: output.kind });
  const report: AgentRunReport = {
    exitCode: output.exitCode,
    output: output.doc,
    log: `agent remediate --plan-id ${assignment.planId} --node ${assignment.node} (in the run-mode agent, pid ${process.pid}): exit ${output.exitCode}\n`,
  };
  await postResult(opts, assignment, report);
}

/** Asks, runs, reports, until `signal` aborts. A run in progress is finished and reported first. */
export async function runRemediationPuller(opts: PullOptions, signal: AbortSignal): Promise<void> {
  const node = opts.node ?? process.env.NODE_NAME ?? os.hostname();
  const pollMs = opts.pollMs ?? POLL_MS;
  opts.log.info('carrying out remediations for this node', { node, pollMs });
  let failing = false;
  while (!signal.aborted) {
    let assignment: AgentAssignment | null = null;
    try {
      assignment = await claimOnce(opts, node, signal);
      if (failing) opts.log.info('asking for remediations works again');
      failing = false;
    } catch (err) {
      if (signal.aborted) break;
      // One line per outage, not one per poll.
      if (!failing) opts.log.warn('asking the server for remediations failed; will keep asking', { error: err });
      failing = true;
    }
    if (assignment) {
      await carryOut(opts, assignment);
      continue; // there may be another one
    }
    await sleep(pollMs, signal);
  }
}
