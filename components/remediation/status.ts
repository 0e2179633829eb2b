// How a remediation's status is shown (word, icon, tone) and where it sits on the way
// pending -> running -> succeeded/failed -> verified/unverified.
import type { RemediationRecord, RemediationStatus } from '../../lib/remediation/types';
import type { Presentation } from '../ui/tones';

export const remediationStatusPresentation: Record<RemediationStatus, Presentation> = {
  planned: { label: 'Previewed', shape: 'info', tone: 'info' },
  expired: { label: 'Expired', shape: 'clock', tone: 'stale' },
  pending: { label: 'Pending', shape: 'clock', tone: 'info' },
  running: { label: 'Running', shape: 'clock', tone: 'info' },
  succeeded: { label: 'Succeeded', shape: 'check', tone: 'ok' },
  failed: { label: 'Failed', shape: 'bad', tone: 'bad' },
  verified: { label: 'Verified', shape: 'check', tone: 'ok' },
  unverified: { label: 'Unverified', shape: 'warn', tone: 'warn' },
};

/** A verified fix that stopped holding is not shown as "Verified". */
export const REGRESSED_PRESENTATION: Presentation = { label: 'Regressed', shape: 'bad', tone: 'bad' };

export function recordPresentation(r: Pick<RemediationRecord, 'status'> & { regression?: RemediationRecord['regression'] }): Presentation {
  return r.regression ? REGRESSED_PRESENTATION : remediationStatusPresentation[r.status];
}

export type StepPhase = 'done' | 'current' | 'failed' | 'todo';

export interface Step {
  label: string;
  phase: StepPhase;
}

/** The four steps of an applied remediation and how far this one got. Previews have no steps. */
export function remediationSteps(r: Pick<RemediationRecord, 'status' | 'verification'> & { regression?: RemediationRecord['regression'] }): Step[] {
  const s = r.status;
  const order = ['pending', 'running', 'finished', 'verification'] as const;
  const reached: Record<(typeof order)[number], StepPhase> = {
    pending: 'todo',
    running: 'todo',
    finished: 'todo',
    verification: 'todo',
  };
  let finishedLabel = 'Succeeded / failed';
  let verificationLabel = 'Verified / unverified';
  switch (s) {
    case 'pending':
      reached.pending = 'current';
      break;
    case 'running':
      reached.pending = 'done';
      reached.running = 'current';
      break;
    case 'succeeded':
      reached.pending = reached.running = reached.finished = 'done';
      finishedLabel = 'Succeeded';
      reached.verification = 'current';
      verificationLabel = 'Waiting for the next report';
      break;
    case 'failed':
      reached.pending = reached.running = 'done';
      reached.finished = 'failed';
      finishedLabel = 'Failed';
      break;
    case 'verified':
      reached.pending = reached.running = reached.finished = reached.verification = 'done';
      finishedLabel = 'Succeeded';
      verificationLabel = 'Verified';
      if (r.regression) {
        reached.verification = 'failed';
        verificationLabel = 'Verified, then regressed';
      }
      break;
    case 'unverified':
      reached.pending = reached.running = 'done';
      // Unverified can follow a run the agent itself reported as done; the next report disagreed.
      reached.finished = 'done';
      finishedLabel = 'Succeeded';
      reached.verification = 'failed';
      verificationLabel = 'Unverified';
      break;
    case 'planned':
    case 'expired':
      return [];
  }
  return [
    { label: 'Pending', phase: reached.pending },
    { label: 'Running', phase: reached.running },
    { label: finishedLabel, phase: reached.finished },
    { label: verificationLabel, phase: reached.verification },
  ];
}

export function executorLabel(kind: 'kubernetes' | 'local' | 'none', node: string): string {
  if (kind === 'kubernetes') return `Kubernetes Job on node ${node}`;
  if (kind === 'local') return 'this host (local agent)';
  return 'no executor configured';
}
