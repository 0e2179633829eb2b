import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '@/lib/events/types';
import type { NodeSummary } from '@/lib/nodes/types';
import { buildReport } from '@/lib/report/fixtures';
import { desiredCondition, mismatchEventMessage } from './messages';

function summary(over: Partial<NodeSummary>): NodeSummary {
  return {
    name: 'n1',
    os: { prettyName: null, kernel: null, systemdVersion: 252 },
    policy: null,
    vethCount: 3,
    mismatchCount: 0,
    state: 'healthy',
    stateReason: 'No ARP mismatches; udev leaves the MAC of new veths alone (no .link file matches veths).',
    lastKnownState: 'healthy',
    lastReportAt: '2026-01-01T00:00:00.000Z',
    reportAgeSeconds: 5,
    intervalSeconds: 15,
    ...over,
  };
}

describe('desiredCondition', () => {
  it('False with the state reason when nothing is cut off', () => {
    expect(desiredCondition(summary({}), null)).toEqual({
      status: 'False',
      reason: 'NoMismatch',
      message: 'No ARP mismatches; udev leaves the MAC of new veths alone (no .link file matches veths).',
    });
  });

  it('Unknown, AgentNotReporting, for a stale node whatever it said last', () => {
    expect(desiredCondition(summary({ state: 'stale', lastKnownState: 'broken', mismatchCount: 2, reportAgeSeconds: 125 }), null)).toEqual({
      status: 'Unknown',
      reason: 'AgentNotReporting',
      message: 'The vethwatch agent has not reported for 2m 5s (expected every 15s); last known state: broken.',
    });
  });

  it('True, listing at most 20 cut-off pods', () => {
    const report = buildReport({ node: 'n1', veths: 23, mismatched: 22 });
    const c = desiredCondition(summary({ state: 'broken', mismatchCount: 22 }), report.veths);
    expect(c.status).toBe('True');
    expect(c.reason).toBe('MismatchedVeths');
    const v = report.veths[0];
    expect(c.message.startsWith(
      `22 pods are cut off: the gateway ARP entry points at a MAC the host veth no longer has: default/n1-pod-0 (gateway 169.254.1.1 -> ${v.gatewayLladdr}, host veth ${v.ifname} is ${v.mac}); `,
    )).toBe(true);
    expect(c.message.endsWith(', and 2 more. Repair with vethwatch or recreate the pods.')).toBe(true);
    expect(c.message.split('; ')).toHaveLength(20);
  });
});

describe('mismatchEventMessage', () => {
  const base = { id: 1, node: 'n1', at: '', receivedAt: '', reportId: 'r', subject: 'eni1' };
  const pod = { namespace: 'shop', name: 'cart-1' };
  it('speaks for a pod newly cut off, and only then', () => {
    const arp = (from: string, to: string) =>
      ({ ...base, type: 'arp.changed', data: { ifname: 'eni1', from, to, pod, podIP: '10.0.0.5', hostMac: '02:00:00:00:00:02', gatewayLladdr: '02:00:00:00:00:01', fromGatewayLladdr: null } }) as NodeEvent;
    expect(mismatchEventMessage(arp('ok', 'mismatch'))).toBe(
      'shop/cart-1 is cut off: its gateway ARP entry (169.254.1.1) points at 02:00:00:00:00:01, but host veth eni1 now has 02:00:00:00:00:02.',
    );
    expect(mismatchEventMessage(arp('mismatch', 'ok'))).toBeNull();
    expect(mismatchEventMessage(arp('mismatch', 'mismatch'))).toBeNull();
    const appeared = {
      ...base,
      type: 'veth.appeared',
      data: { ifname: 'eni1', ifindex: 4, mac: '02:00:00:00:00:02', addrAssignType: 3, pod: null, podIP: '10.0.0.5', netns: null, arpStatus: 'mismatch', gatewayLladdr: '02:00:00:00:00:01', initial: true },
    } as NodeEvent;
    expect(mismatchEventMessage(appeared)).toBe(
      'pod 10.0.0.5 is cut off: its gateway ARP entry (169.254.1.1) points at 02:00:00:00:00:01, but host veth eni1 has 02:00:00:00:00:02.',
    );
  });
});
