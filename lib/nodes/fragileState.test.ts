// The "fragile" node state on the read side: from the stored reason, its precedence, staleness, and the Kubernetes
// condition it becomes.
import { describe, expect, it } from 'vitest';
import { desiredCondition } from '../cluster/messages';
import { deriveNodeState, type NodeStateInput } from './state';
import { NODE_STATES, type NodeSummary } from './types';

const none = { udevRewritesMac: false, macAddressPolicy: 'none', linkFile: '/usr/lib/systemd/network/99-default.link' };
const persistent = { ...none, udevRewritesMac: true, macAddressPolicy: 'persistent' };
const REASON =
  'New veths are safe only because /usr/lib/systemd/network/99-default.link (owned by udev 252.39-1~deb12u2) was edited in place to give MACAddressPolicy=none: the next upgrade or reinstall of udev restores MACAddressPolicy=persistent. Put the fix in /etc/systemd/network instead.';
const now = Date.parse('2026-01-01T12:00:00.000Z');
const input = (over: Partial<NodeStateInput>): NodeStateInput => ({
  now,
  lastReportAt: '2026-01-01T11:59:50.000Z',
  intervalSeconds: 30,
  mismatchCount: 0,
  unknownArpCount: 0,
  newVeth: none,
  fragileReason: REASON,
  ...over,
});

describe('fragile node state', () => {
  it('is its own state, between at-risk and the rest, saying what will undo the fix', () => {
    expect(NODE_STATES.indexOf('fragile')).toBe(NODE_STATES.indexOf('at-risk') + 1);
    expect(deriveNodeState(input({}))).toEqual({ state: 'fragile', stateReason: REASON, lastKnownState: 'fragile', reportAgeSeconds: 10 });
  });

  it('ranks below broken and at-risk, above unknown', () => {
    expect(deriveNodeState(input({ mismatchCount: 1 })).state).toBe('broken');
    expect(deriveNodeState(input({ newVeth: persistent })).state).toBe('at-risk');
    const s = deriveNodeState(input({ unknownArpCount: 2 }));
    expect(s.state).toBe('fragile');
    expect(s.stateReason).toBe(`${REASON} The gateway ARP entry of 2 pods could not be read.`);
    expect(deriveNodeState(input({ fragileReason: null })).state).toBe('healthy');
  });

  it('goes stale like any other, remembering it was fragile', () => {
    const s = deriveNodeState(input({ lastReportAt: '2026-01-01T11:00:00.000Z' }));
    expect(s.state).toBe('stale');
    expect(s.lastKnownState).toBe('fragile');
    expect(s.stateReason).toContain('last known state: fragile');
  });

  it('becomes the Node condition False/FragileFix with the reason as its message', () => {
    const node: NodeSummary = {
      name: 'n1',
      os: { prettyName: null, kernel: null, systemdVersion: 252 },
      policy: null,
      vethCount: 3,
      mismatchCount: 0,
      state: 'fragile',
      stateReason: REASON,
      lastKnownState: 'fragile',
      lastReportAt: '2026-01-01T00:00:00.000Z',
      reportAgeSeconds: 5,
      intervalSeconds: 15,
    };
    expect(desiredCondition(node, null)).toEqual({ status: 'False', reason: 'FragileFix', message: REASON });
  });
});
