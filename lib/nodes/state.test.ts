// Node state from counts, policy and report age: each state, its precedence, and staleness at the boundary.
import { describe, expect, it } from 'vitest';
import { countedState, deriveNodeState, formatDuration, STALE_AFTER_INTERVALS, type NodeStateInput } from './state';

const persistent = { udevRewritesMac: true, macAddressPolicy: 'persistent', linkFile: '/usr/lib/systemd/network/99-default.link' };
const none = { udevRewritesMac: false, macAddressPolicy: 'none', linkFile: '/usr/lib/systemd/network/99-default.link' };
const now = Date.parse('2026-01-01T12:00:00.000Z');
const input = (over: Partial<NodeStateInput>): NodeStateInput => ({
  now,
  lastReportAt: '2026-01-01T11:59:50.000Z',
  intervalSeconds: 30,
  mismatchCount: 0,
  unknownArpCount: 0,
  newVeth: none,
  ...over,
});

describe('deriveNodeState', () => {
  it('healthy: no mismatches and udev leaves new veths alone', () => {
    const s = deriveNodeState(input({}));
    expect(s).toEqual({
      state: 'healthy',
      lastKnownState: 'healthy',
      reportAgeSeconds: 10,
      stateReason: 'No ARP mismatches; udev leaves the MAC of new veths alone (MACAddressPolicy=none from /usr/lib/systemd/network/99-default.link).',
    });
  });

  it('healthy when no .link file matches veths at all', () => {
    const s = deriveNodeState(input({ newVeth: { udevRewritesMac: false, macAddressPolicy: null, linkFile: null } }));
    expect(s.state).toBe('healthy');
    expect(s.stateReason).toContain('no .link file matches veths');
  });

  it('at-risk: udev would rewrite the MAC of new veths', () => {
    const s = deriveNodeState(input({ newVeth: persistent }));
    expect(s.state).toBe('at-risk');
    expect(s.stateReason).toBe('udev would rewrite the MAC of new veths (MACAddressPolicy=persistent from /usr/lib/systemd/network/99-default.link).');
  });

  it('broken wins over at-risk and says both', () => {
    const s = deriveNodeState(input({ newVeth: persistent, mismatchCount: 2 }));
    expect(s.state).toBe('broken');
    expect(s.stateReason).toMatch(/^2 pods have a gateway ARP entry .* udev would also rewrite/);
    expect(deriveNodeState(input({ mismatchCount: 1 })).stateReason).toBe(
      '1 pod has a gateway ARP entry pointing at a MAC the host veth no longer has.',
    );
  });

  it('unknown when pods could not be checked and nothing worse is known', () => {
    expect(deriveNodeState(input({ unknownArpCount: 3 }))).toMatchObject({ state: 'unknown', lastKnownState: 'unknown' });
    expect(deriveNodeState(input({ unknownArpCount: 3, newVeth: persistent })).state).toBe('at-risk');
    expect(deriveNodeState(input({ unknownArpCount: 3, mismatchCount: 1 })).state).toBe('broken');
  });

  it('unknown without any report, or without a verdict for new veths', () => {
    expect(deriveNodeState(input({ lastReportAt: null }))).toEqual({
      state: 'unknown',
      lastKnownState: 'unknown',
      reportAgeSeconds: null,
      stateReason: 'No report received from this node yet.',
    });
    expect(deriveNodeState(input({ newVeth: null })).state).toBe('unknown');
  });

  it('stale after exactly more than 3 intervals, never healthy, keeping the last known state', () => {
    const limit = STALE_AFTER_INTERVALS * 30 * 1000;
    const at = (ms: number) => new Date(now - ms).toISOString();
    expect(deriveNodeState(input({ lastReportAt: at(limit) })).state).toBe('healthy');
    const stale = deriveNodeState(input({ lastReportAt: at(limit + 1000) }));
    expect(stale).toEqual({
      state: 'stale',
      lastKnownState: 'healthy',
      reportAgeSeconds: 91,
      stateReason:
        'No report for 1m 31s (expected every 30s); last known state: healthy. No ARP mismatches; udev leaves the MAC of new veths alone (MACAddressPolicy=none from /usr/lib/systemd/network/99-default.link).',
    });
    expect(deriveNodeState(input({ lastReportAt: at(3_600_000), mismatchCount: 4 }))).toMatchObject({
      state: 'stale',
      lastKnownState: 'broken',
    });
  });

  it('a stale node that was broken is counted with the broken; other stale nodes stay stale', () => {
    const broken = deriveNodeState(input({ lastReportAt: '2026-01-01T10:00:00.000Z', mismatchCount: 2 }));
    expect(broken.state).toBe('stale');
    expect(countedState(broken)).toBe('broken');
    expect(countedState(deriveNodeState(input({ lastReportAt: '2026-01-01T10:00:00.000Z', newVeth: persistent })))).toBe('stale');
    expect(countedState(deriveNodeState(input({ mismatchCount: 1 })))).toBe('broken');
  });

  it('pods whose ARP entry could not be read are counted and named, even when the node is broken or at risk', () => {
    const names = ['default/a', 'default/b'];
    const broken = deriveNodeState(input({ mismatchCount: 1, unknownArpCount: 2, unknownArpNames: names }));
    expect(broken.state).toBe('broken');
    expect(broken.stateReason).toContain('The gateway ARP entry of 2 pods could not be read: default/a, default/b.');
    const atRisk = deriveNodeState(input({ newVeth: persistent, unknownArpCount: 1 }));
    expect(atRisk.state).toBe('at-risk');
    expect(atRisk.stateReason).toContain('The gateway ARP entry of 1 pod could not be read.');
    const unknown = deriveNodeState(input({ unknownArpCount: 7, unknownArpNames: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'] }));
    expect(unknown.stateReason).toContain('the gateway ARP entry of 7 pods could not be read: p1, p2, p3, p4, p5 and 2 more.');
  });

  it('uses the node interval: a 5 s node is stale after 15 s', () => {
    const at = new Date(now - 16_000).toISOString();
    expect(deriveNodeState(input({ lastReportAt: at, intervalSeconds: 5 })).state).toBe('stale');
    expect(deriveNodeState(input({ lastReportAt: at, intervalSeconds: 30 })).state).toBe('healthy');
  });

  it('a report from the future (server clock behind) counts as age 0', () => {
    expect(deriveNodeState(input({ lastReportAt: '2026-01-01T12:05:00.000Z' }))).toMatchObject({ state: 'healthy', reportAgeSeconds: 0 });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [60, '1m 0s'],
    [3599, '59m 59s'],
    [3600, '1h 0m'],
    [90061, '1d 1h'],
  ])('%s s -> %s', (s, text) => expect(formatDuration(s)).toBe(text));
});
