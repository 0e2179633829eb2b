// @vitest-environment happy-dom
// The node page's static neighbour entries, from a report ingested into a real SQLite store and read back with the
// node read model: what the agent sent is what the veths table shows.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getNodeFrom } from '@/lib/nodes/read';
import type { NodeDetail } from '@/lib/nodes/types';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { NeighbourList } from './NeighbourList';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const at = new Date('2026-11-26T12:00:00.000Z');
let t: TestStore;
let node: NodeDetail;

beforeAll(async () => {
  t = await sqlite.open();
  const r = buildReport({ node: 'n-azure', veths: 2, mismatched: 1, collectedAt: at });
  const broken = r.veths.find((v) => v.arpStatus === 'mismatch')!;
  broken.neighbours = [
    { ip: '169.254.1.1', lladdr: broken.gatewayLladdr, state: ['PERMANENT'], matchesHost: false },
    { ip: 'fe80::1234:5678:9abc', lladdr: broken.mac, state: ['PERMANENT'], matchesHost: true },
  ];
  await ingestReport(t.store, r, { bus: createEventBus(), receivedAt: at });
  node = (await getNodeFrom(t.store, 'n-azure', at))!;
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

describe('NeighbourList', () => {
  it('lists each static entry of the stored report and flags the one that points elsewhere', () => {
    const v = node.veths.find((x) => x.arpStatus === 'mismatch')!;
    render(<NeighbourList entries={v.neighbours} />);
    const items = within(screen.getByLabelText('Static neighbour entries')).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      `169.254.1.1 → ${v.gatewayLladdr} PERMANENTnot this veth's MAC`,
      `fe80::1234:5678:9abc → ${v.mac} PERMANENT`,
    ]);
  });

  it('shows nothing for a report from an agent that sends no list', () => {
    const v = node.veths.find((x) => x.arpStatus === 'ok')!;
    expect(v.neighbours).toBeUndefined();
    const { container } = render(<NeighbourList entries={v.neighbours} />);
    expect(container.innerHTML).toBe('');
  });
});
