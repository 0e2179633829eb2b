// How each status is shown: a word, an icon shape and a tone. One table per status family, so the fleet table,
// the summary and the node page can never disagree about what "stale" looks like.
import type { ArpStatus, Finding } from '../../lib/report/schema';
import type { NodeState } from '../../lib/nodes/types';
import type { IconShape } from './Icon';

export type Tone = 'ok' | 'warn' | 'bad' | 'stale' | 'unknown' | 'info';

export interface Presentation {
  label: string;
  shape: IconShape;
  tone: Tone;
}

export const nodeStatePresentation: Record<NodeState, Presentation> = {
  broken: { label: 'Broken', shape: 'bad', tone: 'bad' },
  'at-risk': { label: 'At risk', shape: 'warn', tone: 'warn' },
  fragile: { label: 'Fragile', shape: 'warn', tone: 'warn' },
  stale: { label: 'Stale', shape: 'clock', tone: 'stale' },
  'no-agent': { label: 'No agent', shape: 'unknown', tone: 'unknown' },
  unknown: { label: 'Unknown', shape: 'unknown', tone: 'unknown' },
  healthy: { label: 'Healthy', shape: 'check', tone: 'ok' },
};

export const arpStatusPresentation: Record<ArpStatus, Presentation> = {
  mismatch: { label: 'Mismatch', shape: 'bad', tone: 'bad' },
  missing: { label: 'Missing', shape: 'warn', tone: 'warn' },
  unknown: { label: 'Unknown', shape: 'unknown', tone: 'unknown' },
  ok: { label: 'OK', shape: 'check', tone: 'ok' },
};

export const severityPresentation: Record<Finding['severity'], Presentation> = {
  error: { label: 'Error', shape: 'bad', tone: 'bad' },
  warning: { label: 'Warning', shape: 'warn', tone: 'warn' },
  info: { label: 'Info', shape: 'info', tone: 'info' },
};
