import { describe, expect, it } from 'vitest';
import { REMEDIATION_STATUSES, type RemediationVerification } from '../../lib/remediation/types';
import { recordPresentation, remediationStatusPresentation, remediationSteps } from './status';

const none: RemediationVerification = { agent: null, nextReport: null };
const steps = (status: (typeof REMEDIATION_STATUSES)[number]) =>
  remediationSteps({ status, verification: none }).map((s) => `${s.label}:${s.phase}`);

describe('remediationSteps', () => {
  it('walks pending -> running -> succeeded -> verified', () => {
    expect(steps('pending')).toEqual(['Pending:current', 'Running:todo', 'Succeeded / failed:todo', 'Verified / unverified:todo']);
    expect(steps('running')).toEqual(['Pending:done', 'Running:current', 'Succeeded / failed:todo', 'Verified / unverified:todo']);
    expect(steps('succeeded')).toEqual(['Pending:done', 'Running:done', 'Succeeded:done', 'Waiting for the next report:current']);
    expect(steps('verified')).toEqual(['Pending:done', 'Running:done', 'Succeeded:done', 'Verified:done']);
  });

  it('marks the step that went wrong', () => {
    expect(steps('failed')).toEqual(['Pending:done', 'Running:done', 'Failed:failed', 'Verified / unverified:todo']);
    expect(steps('unverified')).toEqual(['Pending:done', 'Running:done', 'Succeeded:done', 'Unverified:failed']);
  });

  it('a verified fix that regressed is not shown as "Verified"', () => {
    const regression = { at: '2026-12-03T03:00:00.000Z', reason: 'udev still rewrites new veths' };
    expect(remediationSteps({ status: 'verified', verification: none, regression }).map((s) => `${s.label}:${s.phase}`)).toEqual([
      'Pending:done',
      'Running:done',
      'Succeeded:done',
      'Verified, then regressed:failed',
    ]);
    expect(recordPresentation({ status: 'verified', regression }).label).toBe('Regressed');
    expect(recordPresentation({ status: 'verified', regression: null }).label).toBe('Verified');
  });

  it('gives previews no steps', () => {
    expect(steps('planned')).toEqual([]);
    expect(steps('expired')).toEqual([]);
  });

  it('has a word for every status', () => {
    for (const s of REMEDIATION_STATUSES) expect(remediationStatusPresentation[s].label).not.toBe('');
  });
});
