import { describe, expect, it } from 'vitest';
import type { NodeState, NodeSummary } from '../../lib/nodes/types';
import { worstFirst } from './order';

function node(name: string, state: NodeState, lastKnownState: Exclude<NodeState, 'stale'> = 'healthy'): NodeSummary {
  return {
    name,
    os: { prettyName: null, kernel: null, systemdVersion: null },
    policy: null,
    vethCount: 0,
    mismatchCount: 0,
    state,
    stateReason: '',
    lastKnownState: state === 'stale' ? lastKnownState : state,
    lastReportAt: null,
    reportAgeSeconds: null,
    intervalSeconds: 30,
  };
}

describe('worstFirst', () => {
  it('orders by severity, a stale broken node with the broken, other stale nodes by their last known state, then by name', () => {
    const sorted = worstFirst([
      node('h-b', 'healthy'),
      node('s-healthy', 'stale', 'healthy'),
      node('h-a', 'healthy'),
      node('risk', 'at-risk'),
      node('s-broken', 'stale', 'broken'),
      node('unk', 'unknown'),
      node('broke', 'broken'),
    ]);
    expect(sorted.map((n) => n.name)).toEqual(['broke', 's-broken', 'risk', 's-healthy', 'unk', 'h-a', 'h-b']);
  });

  it('does not reorder the array it was given', () => {
    const input = [node('b', 'healthy'), node('a', 'broken')];
    worstFirst(input);
    expect(input.map((n) => n.name)).toEqual(['b', 'a']);
  });
});
