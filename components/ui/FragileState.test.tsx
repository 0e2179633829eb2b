// @vitest-environment happy-dom
// The "fragile" state as a person sees it: its badge, the node header with the reason that names the edited file,
// its package and what will undo the fix, the count card, and the fleet filter that finds it. The node is the real
// read model (a report ingested into a SQLite store, read back).
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getFleetFrom, getNodeFrom } from '@/lib/nodes/read';
import type { FleetView, NodeDetail } from '@/lib/nodes/types';
import { buildLinkFiles, buildNewVethVerdict, buildReport, DEFAULT_LINK_PATH } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { FleetSummary } from '../fleet/FleetSummary';
import { applyFleetFilter, ATTENTION_STATES, DEFAULT_FILTER, parseFleetFilter } from '../fleet/query';
import { NodeHeader } from '../node/NodeHeader';
import { StateBadge } from './Badge';

const UNDONE_BY = 'the next upgrade or reinstall of udev restores MACAddressPolicy=persistent';
const MESSAGE = `New veths are safe only because ${DEFAULT_LINK_PATH} (owned by udev 252.39-1~deb12u2) was edited in place to give MACAddressPolicy=none: ${UNDONE_BY}. Put the fix in /etc/systemd/network instead.`;

let t: TestStore;
let node: NodeDetail;
let fleet: FleetView;

beforeAll(async () => {
  t = await testEngines.find((e) => e.name === 'sqlite')!.open();
  const now = new Date();
  const [stock] = buildLinkFiles('persistent');
  const newVeth = { ...buildNewVethVerdict('persistent'), macAddressPolicy: 'none' as const, udevRewritesMac: false };
  const fragile = [{ kind: 'package-edited' as const, path: DEFAULT_LINK_PATH, package: { name: 'udev', version: '252.39-1~deb12u2' }, undoneBy: UNDONE_BY, message: MESSAGE }];
  await ingestReport(t.store, buildReport({ node: 'n-fragile', veths: 2, collectedAt: now, linkPolicy: { newVeth, files: [{ ...stock, differsFromPackage: true, macAddressPolicy: 'none' }], packageEvents: [], fragile } }), { receivedAt: now });
  await ingestReport(t.store, buildReport({ node: 'n-healthy', veths: 2, policy: 'none', collectedAt: now }), { receivedAt: now });
  node = (await getNodeFrom(t.store, 'n-fragile', now, null))!;
  fleet = await getFleetFrom(t.store, now, null, { strips: false });
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

describe('the fragile state in the UI', () => {
  it('has its own badge, a warning, not "Healthy"', () => {
    const { container } = render(<StateBadge state="fragile" />);
    expect(screen.getByText('Fragile')).toBeTruthy();
    expect(container.querySelector('.badge')?.className).toContain('tone-warn');
  });

  it('the node header shows the state and the reason naming the file, package, version and what undoes it', () => {
    render(<NodeHeader node={node} />);
    expect(screen.getByText('Fragile')).toBeTruthy();
    expect(screen.queryByText('Healthy')).toBeNull();
    const reason = screen.getByText(MESSAGE);
    expect(reason.textContent).toContain(`${DEFAULT_LINK_PATH} (owned by udev 252.39-1~deb12u2)`);
    expect(reason.textContent).toContain(UNDONE_BY);
  });

  it('the count cards count it apart from healthy', () => {
    render(<FleetSummary counts={fleet.counts} />);
    const card = screen.getByText('Fragile').closest('li')!;
    expect(card.getAttribute('data-state')).toBe('fragile');
    expect(within(card).getByText('1')).toBeTruthy();
    expect(within(screen.getByText('Healthy').closest('li')!).getByText('1')).toBeTruthy();
  });

  it('the fleet filter finds it by state and among the nodes needing attention', () => {
    const byState = applyFleetFilter(fleet.nodes, parseFleetFilter(new URLSearchParams('state=fragile')));
    expect(byState.map((n) => n.name)).toEqual(['n-fragile']);
    expect(ATTENTION_STATES).toContain('fragile');
    expect(applyFleetFilter(fleet.nodes, { ...DEFAULT_FILTER, states: ATTENTION_STATES }).map((n) => n.name)).toEqual(['n-fragile']);
  });
});
