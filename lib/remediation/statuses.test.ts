// The status sets are defined once (lib/remediation/types.ts) and must cover every status exactly once, so the
// store's slot release, the fleet run's "finished" and the UI's polling can never disagree about a status.
import { describe, expect, it } from 'vitest';
import { ACTIVE_STATUSES, DONE_STATUSES, REMEDIATION_STATUSES, isActiveStatus, isDoneStatus, isInFlight } from './types';

describe('remediation status sets', () => {
  it('split every status into planned, active and done, each exactly once', () => {
    const all = ['planned', ...ACTIVE_STATUSES, ...DONE_STATUSES];
    expect([...all].sort()).toEqual([...REMEDIATION_STATUSES].sort());
    expect(new Set(all).size).toBe(all.length);
  });

  it('answer the predicates from the same sets', () => {
    for (const s of REMEDIATION_STATUSES) {
      expect(isActiveStatus(s)).toBe((ACTIVE_STATUSES as readonly string[]).includes(s));
      expect(isDoneStatus(s)).toBe((DONE_STATUSES as readonly string[]).includes(s));
    }
  });

  it('count a succeeded remediation as in flight until the next report judged it', () => {
    const verification = { agent: null, nextReport: null };
    expect(isInFlight({ status: 'running', verification })).toBe(true);
    expect(isInFlight({ status: 'succeeded', verification })).toBe(true);
    expect(isInFlight({ status: 'succeeded', verification: { agent: null, nextReport: { verified: true, reportId: 'r', at: 'x', reason: 'ok' } } })).toBe(false);
    expect(isInFlight({ status: 'failed', verification })).toBe(false);
    expect(isInFlight({ status: 'planned', verification })).toBe(false);
  });
});
