// Which nodes came up already protected and which needed remediation later, from each node's history: the drop-in
// in the new-veth verdict of its FIRST report means the provisioning snippet (or an image) installed it; the drop-in
// appearing in a later report means someone fixed the node afterwards. Pure over events; the store reads are in
// provenanceRead.ts. Client-safe types.
import type { EventDataMap } from '../events/types';
import type { VerificationSummary } from './verification';
import { PREVENTION_PATH } from './snippets';

export const PROVENANCES = ['provisioned', 'remediated', 'unprotected', 'unknown'] as const;
export type Provenance = (typeof PROVENANCES)[number];

export interface NodeProvenance {
  provenance: Provenance;
  /** When the drop-in was first seen (node clock): the first report, or the later report it appeared in. */
  since: string | null;
}

/** The node page's prevention facts; `lastVerification` is the newest `verify --watch` run. */
export interface NodePrevention extends NodeProvenance {
  lastVerification: VerificationSummary | null;
}

export interface ProvenanceEvidence {
  /** The node.first_report event; null when history no longer has it (pruned) or the node never reported. */
  firstReport: { at: string; data: Pick<EventDataMap['node.first_report'], 'newVeth'> } | null;
  /** The first linkfile.appeared event for the drop-in path that was not part of the first report. */
  laterAppearance: { at: string } | null;
}

export function hasPreventionDropIn(newVeth: { dropIns?: readonly string[] }): boolean {
  return (newVeth.dropIns ?? []).includes(PREVENTION_PATH);
}

export function provenanceOf(e: ProvenanceEvidence): NodeProvenance {
  if (e.firstReport && hasPreventionDropIn(e.firstReport.data.newVeth)) return { provenance: 'provisioned', since: e.firstReport.at };
  if (e.laterAppearance) return { provenance: 'remediated', since: e.laterAppearance.at };
  if (e.firstReport) return { provenance: 'unprotected', since: null };
  return { provenance: 'unknown', since: null };
}

export const PROVENANCE_LABELS: Record<Provenance, string> = {
  provisioned: 'Protected from first boot',
  remediated: 'Remediated later',
  unprotected: 'Not protected',
  unknown: 'Unknown (no first report in history)',
};
