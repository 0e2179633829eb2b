// @vitest-environment happy-dom
// The "Fleet hazards" panel and the node page's cross-node hazards as a person sees them, from the real read
// models: flannel reports ingested into a SQLite store and read back with getFleetFrom / getNodeFrom.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { buildFlannelReport } from '@/lib/fleet/fixtures';
import { ingestReport } from '@/lib/ingest/ingestReport';
import type { ClusterView } from '@/lib/nodes/cluster';
import { getFleetFrom, getNodeFrom } from '@/lib/nodes/read';
import type { FleetView, NodeDetail } from '@/lib/nodes/types';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { NodeHazards } from '../node/NodeHazards';
import { FleetHazards } from './FleetHazards';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';
const A = { publicIp: '192.168.1.10', vtepIp: '10.244.0.0' };
const B = { publicIp: '192.168.1.11', vtepIp: '10.244.1.0' };
const view: ClusterView = {
  nodes: null,
  deleted: new Set(),
  awsNode: null,
  flannel: new Map([
    ['node-a', { vtepMac: A_MAC, ...A }],
    ['node-b', { vtepMac: B_MAC, ...B }],
  ]),
};

let t: TestStore;
let fleet: FleetView;
let nodeB: NodeDetail;
beforeAll(async () => {
  t = await sqlite.open();
  const bus = createEventBus();
  const send = (r: Parameters<typeof ingestReport>[1]) => ingestReport(t.store, r, { bus, receivedAt: new Date() });
  await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [{ mac: B_MAC, ...B }] }));
  await send(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [{ mac: OLD_A, ...A }] }));
  fleet = await getFleetFrom(t.store, new Date(), view);
  nodeB = (await getNodeFrom(t.store, 'node-b', new Date(), view))!;
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(cleanup);

describe('FleetHazards', () => {
  it('lists each hazard with its sentence, its code and links to the nodes it names', () => {
    render(<FleetHazards hazards={fleet.hazards} />);
    const panel = screen.getByRole('region', { name: 'Fleet hazards' });
    const items = within(panel).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain(`node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}`);
    expect(items[0].textContent).toContain('flannel-fdb-stale');
    expect(within(items[0]).getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['node-a', '/nodes/node-a'],
      ['node-b', '/nodes/node-b'],
    ]);
  });

  it('is absent when there is nothing to say', () => {
    render(<FleetHazards hazards={[]} />);
    expect(screen.queryByRole('region', { name: 'Fleet hazards' })).toBeNull();
  });
});

describe('NodeHazards', () => {
  it("shows the node's hazards, linking to the other node only", () => {
    render(<NodeHazards name="node-b" hazards={nodeB.hazards} />);
    const region = screen.getByRole('region', { name: 'Cross-node hazards' });
    const items = within(region).getAllByRole('listitem');
    expect(items.map((i) => within(i).getByRole('link').textContent)).toEqual(['node-a', 'node-a']);
    expect(items[1].textContent).toContain('flannel-neighbour-stale');
  });

  it('says so when nothing was found', () => {
    render(<NodeHazards name="node-z" hazards={[]} />);
    expect(screen.getByRole('region', { name: 'Cross-node hazards' }).textContent).toContain('Nothing found comparing this node with the others.');
  });
});
