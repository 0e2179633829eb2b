import 'server-only';
// The state hash: equal hashes mean two reports describe the node identically. Almost every report repeats its
// node's last one, so that case is made as cheap as possible: hashed from the body text with the per-report
// values blanked, it needs neither JSON.parse nor the schema nor the stored report.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { reportSchema } from '../report/schema';

let schemaFingerprint: string | null = null;

/** Changes whenever the report schema does, so a stored hash never vouches for content a new schema rejects. */
function reportSchemaFingerprint(): string {
  schemaFingerprint ??= createHash('sha256')
    .update(JSON.stringify(z.toJSONSchema(reportSchema, { io: 'input' })))
    .digest('hex');
  return schemaFingerprint;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * From a parsed body: everything that describes the node (all but reportId, collectedAt and the spool's drop
 * counter), re-serialised. Used when the text hash cannot be. Null when the body is not shaped like a report.
 */
export function reportObjectStateHash(input: unknown): string | null {
  if (!isObject(input) || !isObject(input.agent)) return null;
  const { version, node, agent, os, cni, linkPolicy, veths, findings, hostDevices, overlay, machineIdHash } = input;
  // The optional v1 additions too: an overlay or machine-ID change must store the new report (lib/fleet reads it).
  const stateful = [reportSchemaFingerprint(), version, node, agent.version, agent.intervalSeconds, os, cni, linkPolicy, veths, findings, hostDevices, overlay, machineIdHash];
  return `o:${createHash('sha256').update(JSON.stringify(stateful)).digest('hex')}`;
}

// Keys inside JSON strings are escaped (\"reportId\"), so these match keys only. Captures exclude quotes and
// backslashes: a value needing escapes simply never takes the text path.
const REPORT_ID = /"reportId"\s*:\s*"([^"\\]*)"/;
const COLLECTED_AT = /"collectedAt"\s*:\s*"([^"\\]*)"/;
const NODE = /"node"\s*:\s*"([^"\\]*)"/;
const DROPPED = /"droppedReports"\s*:\s*([0-9]+)/;

interface Slot {
  value: string;
  /** Where the value starts and ends in the text (without quotes). */
  start: number;
  end: number;
}

export interface ReportTextScan {
  reportId: string;
  collectedAt: string;
  node: string;
  /** 0 when the body has no droppedReports (the schema's default). */
  droppedReports: number;
  /** The text hash: schema fingerprint + the text with the reportId, collectedAt and droppedReports values blanked. */
  hash: string;
}

function firstSlot(pattern: RegExp, text: string): Slot | null {
  const m = pattern.exec(text);
  if (!m) return null;
  const end = m.index + m[0].length - (m[0].endsWith('"') ? 1 : 0);
  return { value: m[1], start: end - m[1].length, end };
}

function countMatches(pattern: RegExp, text: string): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/**
 * The per-report values at the first place each key occurs, and the hash of the rest. Cheap: the keys come first
 * in practice and one sha256 pass does the rest. This alone proves nothing about the body; it is trustworthy only
 * when its hash equals one stored by verifiedTextStateHash(), i.e. when the body equals, outside the blanked
 * values, a body that parsed, passed the schema and had each key exactly once at the top level. Then (see the
 * test) the first matches sit at those same top-level places and the body is that report with new values.
 */
export function scanReportText(text: string): ReportTextScan | null {
  const reportId = firstSlot(REPORT_ID, text);
  const collectedAt = firstSlot(COLLECTED_AT, text);
  const node = firstSlot(NODE, text);
  if (!reportId || !collectedAt || !node) return null;
  const dropped = firstSlot(DROPPED, text);
  const blanks = [reportId, collectedAt, dropped].filter((s): s is Slot => s !== null).sort((a, b) => a.start - b.start);
  const hash = createHash('sha256').update(reportSchemaFingerprint()).update('\n');
  let at = 0;
  for (const s of blanks) {
    if (s.start < at) return null; // overlapping matches: not a shape any real body has
    hash.update(text.slice(at, s.start));
    at = s.end;
  }
  hash.update(text.slice(at));
  return {
    reportId: reportId.value,
    collectedAt: collectedAt.value,
    node: node.value,
    droppedReports: dropped ? Number(dropped.value) : 0,
    hash: `t:${hash.digest('hex')}`,
  };
}

/**
 * The hash to store for a body that parsed and passed the schema: the text hash when each key occurs exactly
 * once (droppedReports at most once) and its first match carries the report's own values, else the object hash.
 */
export function verifiedTextStateHash(
  text: string,
  report: { reportId: string; collectedAt: string; node: string; agent: { droppedReports: number } },
): string | null {
  const scan = scanReportText(text);
  if (
    !scan ||
    scan.reportId !== report.reportId ||
    scan.collectedAt !== report.collectedAt ||
    scan.node !== report.node ||
    scan.droppedReports !== report.agent.droppedReports ||
    countMatches(REPORT_ID, text) !== 1 ||
    countMatches(COLLECTED_AT, text) !== 1 ||
    countMatches(NODE, text) !== 1 ||
    countMatches(DROPPED, text) > 1
  ) {
    return null;
  }
  return scan.hash;
}
