import 'server-only';
// Accepting one report: compare it with the node's current state, store the state and its transitions in one
// transaction, then publish the new events. Bad input throws before anything is written.
import { getEventBus, type EventBus } from '../events/bus';
import type { NodeEvent } from '../events/types';
import { ForbiddenError } from '../http/errors';
import type { Report } from '../report/schema';
import type { ApplyOutcome, Store } from '../store';
import { isTooFarAhead, maxClockSkewSecondsFromEnv, refuseFutureReport } from './clockSkew';
import { reportObjectStateHash, scanReportText, verifiedTextStateHash } from './stateHash';
import { summarizeReport, toIsoUtc } from './summary';
import { diffReports } from './transitions';
import { createLimiter } from './limiter';
import { parseJsonBody, reportEnvelopeSchema, validateEnvelope, validateReport } from './validate';

export type IngestOutcome = ApplyOutcome;

export interface IngestResult {
  reportId: string;
  node: string;
  /**
   * duplicate: one of the node's recently applied report ids (nothing written); out-of-order: not newer than the
   * stored state (nothing written); unchanged: same state (report time bumped, no history); changed: state and
   * history written.
   */
  outcome: IngestOutcome;
  events: NodeEvent[];
}

export interface IngestOptions {
  /** Server clock for this report; defaults to now. */
  receivedAt?: Date;
  /** How far collectedAt may be ahead of receivedAt (see clockSkew.ts); default VETHWATCH_MAX_CLOCK_SKEW_SECONDS or 120. */
  maxClockSkewSeconds?: number;
  bus?: EventBus;
  /** The body as received, when the caller has it: the state hash is then taken from the text (see stateHash.ts). */
  bodyText?: string;
  /** The only node this report may be for (an agent's node-bound token); another node is refused, nothing written. */
  requireNode?: string;
  /** Throws (ForbiddenError) when the credential may not report for this node (the shared token, for a cluster Node). */
  checkNode?: (node: string) => void;
}

/** A parsed report body. */
export async function ingestReport(store: Store, input: unknown, options: IngestOptions = {}): Promise<IngestResult> {
  const envelope = validateEnvelope(input);
  if (options.requireNode !== undefined && envelope.node !== options.requireNode) {
    throw new ForbiddenError(`this agent's token is bound to node "${options.requireNode}"; it may not report for "${envelope.node}"`);
  }
  options.checkNode?.(envelope.node);
  const collectedAt = toIsoUtc(envelope.collectedAt);
  const collectedMs = Date.parse(collectedAt);
  const receivedAt = options.receivedAt ?? new Date();
  refuseFutureReport(collectedMs, receivedAt, options.maxClockSkewSeconds ?? maxClockSkewSecondsFromEnv());
  let report: Report | null = null;
  const validated = () => (report ??= validateReport(input));
  // Only for comparison: a body the schema rejects never gets as far as storing its hash.
  const stateHash =
    (options.bodyText !== undefined ? verifiedTextStateHash(options.bodyText, envelope) : null) ?? reportObjectStateHash(input);
  if (stateHash === null) throw new Error('a valid envelope implies a report-shaped body');

  const result = await store.applyReport({
    reportId: envelope.reportId,
    node: envelope.node,
    receivedAt: receivedAt.toISOString(),
    collectedAt,
    droppedReports: envelope.agent.droppedReports,
    async decide(current, loadPrevious) {
      if (current?.recentReportIds.includes(envelope.reportId)) {
        validated();
        return { kind: 'duplicate' };
      }
      if (current && collectedMs <= Date.parse(current.collectedAt)) {
        validated();
        return { kind: 'out-of-order' };
      }
      // Its state is one that passed this schema when it was stored; the envelope was checked above.
      if (current && current.stateHash === stateHash) return { kind: 'unchanged' };
      const next = validated();
      const previous = current ? await loadPrevious() : null;
      return { kind: 'changed', snapshot: summarizeReport(next, stateHash), report: next, events: diffReports(previous, next) };
    },
  });

  // applyReport has resolved, so the transaction has committed: listeners may read what they are told about.
  (options.bus ?? getEventBus()).publish(result.events);
  return { reportId: envelope.reportId, node: envelope.node, outcome: result.outcome, events: result.events };
}

/**
 * A report body as received (the HTTP path). A body that repeats the node's stored state is recognised from its
 * text and acknowledged without being parsed; anything else is parsed and goes through ingestReport().
 */
export async function ingestReportText(store: Store, text: string, options: Omit<IngestOptions, 'bodyText'> = {}): Promise<IngestResult> {
  const receivedAt = options.receivedAt ?? new Date();
  const scan = scanReportText(text);
  const envelope =
    scan &&
    reportEnvelopeSchema.safeParse({
      version: 1, // the real one is part of the hashed text, so a hash match means it was 1 then and now
      reportId: scan.reportId,
      node: scan.node,
      collectedAt: scan.collectedAt,
      agent: { droppedReports: scan.droppedReports },
    });
  // A body naming another node than the token's, or dated too far ahead (a repeat would move the node's report time
  // into the future), takes the full path, which refuses it.
  if (
    scan &&
    envelope?.success &&
    (options.requireNode === undefined || scan.node === options.requireNode) &&
    !isTooFarAhead(Date.parse(scan.collectedAt), receivedAt, options.maxClockSkewSeconds ?? maxClockSkewSecondsFromEnv())
  ) {
    options.checkNode?.(scan.node);
    const repeated = await store.applyRepeat({
      reportId: scan.reportId,
      node: scan.node,
      receivedAt: receivedAt.toISOString(),
      collectedAt: toIsoUtc(scan.collectedAt),
      droppedReports: scan.droppedReports,
      stateHash: scan.hash,
    });
    if (repeated) return { reportId: scan.reportId, node: scan.node, outcome: 'unchanged', events: [] };
  }
  return fullPath.run(async () => ingestReport(store, parseJsonBody(text), { ...options, receivedAt, bodyText: text }));
}

/** Reports on the full path (parsed, validated, diffed) at once, per process: see limiter.ts. */
const FULL_PATH_SLOTS = 4;
const fullPath = createLimiter(FULL_PATH_SLOTS);
