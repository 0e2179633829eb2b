// @vitest-environment happy-dom
// The fleet table as a person sees it, one row per node state. The rows are the real read model: reports go through
// ingest into a SQLite store, and getFleetFrom builds the summaries (a silent node goes stale; a Kubernetes Node no
// agent reports for is "no agent").
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getFleetFrom } from '@/lib/nodes/read';
import type { FleetView, KubeNodeFacts } from '@/lib/nodes/types';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { FleetTable } from './FleetTable';
import type { FleetFilter } from './query';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

let t: TestStore;
let fleet: FleetView;

beforeAll(async () => {
  t = await sqlite.open();
  const bus = createEventBus();
  const send = (r: Parameters<typeof ingestReport>[1], s: number) => ingestReport(t.store, r, { bus, receivedAt: at(s) });
  await send(buildReport({ node: 'n-broken', veths: 4, mismatched: 2, collectedAt: at(100) }), 100);
  await send(buildReport({ node: 'n-at-risk', veths: 3, policy: 'persistent', collectedAt: at(100) }), 100);
  await send(buildReport({ node: 'n-healthy', veths: 2, policy: 'none', collectedAt: at(100) }), 100);
  // Reported broken once, then went silent for far longer than three intervals.
  await send(buildReport({ node: 'n-stale', veths: 2, mismatched: 1, intervalSeconds: 10, collectedAt: at(0) }), 0);
  const kube: KubeNodeFacts = { osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', kubeletVersion: 'v1.33.1', containerRuntimeVersion: null, labels: {}, ready: true };
  const cluster = { nodes: new Map(['n-broken', 'n-at-risk', 'n-healthy', 'n-stale', 'n-no-agent'].map((n) => [n, kube])), deleted: new Set<string>(), awsNode: null };
  fleet = await getFleetFrom(t.store, at(110), cluster);
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

const FILTER = { sort: 'name', dir: 'asc' } as FleetFilter;

function renderTable(nodes = fleet.nodes) {
  render(<FleetTable stripEndsAt={fleet.stripEndsAt ?? null} nodes={nodes} filter={FILTER} hrefFor={() => '?'} onSort={() => undefined} />);
}

/** The row whose header cell is the node's name link. */
function row(name: string): HTMLElement {
  const link = screen.getByRole('link', { name });
  return link.closest('tr') as HTMLElement;
}

describe('FleetTable', () => {
  it('has every node the read model returned, each state once, under a caption that counts them', () => {
    expect(fleet.nodes.map((n) => [n.name, n.state]).sort()).toEqual([
      ['n-at-risk', 'at-risk'],
      ['n-broken', 'broken'],
      ['n-healthy', 'healthy'],
      ['n-no-agent', 'no-agent'],
      ['n-stale', 'stale'],
    ]);
    renderTable();
    const table = screen.getByRole('table', { name: /Nodes · 5 nodes, by name/ });
    // A header row plus one row per node.
    expect(within(table).getAllByRole('row')).toHaveLength(6);
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent?.replace(/[↕▲▼]/g, ''))).toEqual([
      'Node, sorted ascending',
      'State',
      'New veth MAC policy',
      'ARP mismatches',
      'Link file package',
      'OS',
      'Last report',
    ]);
    expect(screen.getByRole('link', { name: 'n-broken' }).getAttribute('href')).toBe('/nodes/n-broken');
  });

  it('a broken node: "Broken", why, and its mismatches against its veths, with the 24 h strip', () => {
    renderTable();
    const r = within(row('n-broken'));
    expect(r.getByText('Broken')).toBeTruthy();
    expect(r.getByText(/^2 pods have a gateway ARP entry/)).toBeTruthy();
    expect(r.getByText('2 of 4 veths')).toBeTruthy();
    expect(r.getByRole('img', { name: 'Mismatches in the last 24 h: peak 2, now 2' })).toBeTruthy();
    expect(r.getByText('udev will rewrite new veth MACs')).toBeTruthy();
  });

  it('an at-risk node: "At risk", no mismatch yet, and the policy that will break new pods', () => {
    renderTable();
    const r = within(row('n-at-risk'));
    expect(r.getByText('At risk')).toBeTruthy();
    expect(r.getByText('0 of 3 veths')).toBeTruthy();
    expect(r.getByText('persistent')).toBeTruthy();
    expect(r.getByText('udev will rewrite new veth MACs')).toBeTruthy();
    expect(r.getByRole('img', { name: 'Mismatches in the last 24 h: peak 0, now 0' })).toBeTruthy();
  });

  it('a healthy node: "Healthy" and a policy that leaves new veths alone', () => {
    renderTable();
    const r = within(row('n-healthy'));
    expect(r.getByText('Healthy')).toBeTruthy();
    expect(r.getByText('none')).toBeTruthy();
    expect(r.getByText('udev leaves new veth MACs alone')).toBeTruthy();
    expect(r.queryByText('Broken')).toBeNull();
  });

  it('a stale node: "Stale", what its last report said, and how long ago that was', () => {
    renderTable();
    const r = within(row('n-stale'));
    expect(r.getByText('Stale')).toBeTruthy();
    expect(r.getByText('Last report said: broken')).toBeTruthy();
    expect(r.getByTitle('The agent reports every 10 s')).toBeTruthy();
    expect(r.getByText(/ago$/).getAttribute('dateTime')).toBe(at(0).toISOString());
  });

  it('a node no agent reports for: "No agent", never reported, nothing claimed about its policy', () => {
    renderTable();
    const r = within(row('n-no-agent'));
    expect(r.getByText('No agent')).toBeTruthy();
    expect(r.getByText('never')).toBeTruthy();
    expect(r.getByText('not reported yet')).toBeTruthy();
  });

  it('keeps each row to one line: the reason whole on hover and for screen readers, OS details on hover', () => {
    renderTable();
    const cell = within(row('n-broken')).getByText(/^2 pods have a gateway ARP entry/);
    expect(cell.className).toContain('one-line');
    expect(cell.closest('[title]')!.getAttribute('title')).toBe(fleet.nodes.find((n) => n.name === 'n-broken')!.stateReason);
    expect(within(row('n-healthy')).getByTitle(/^systemd 252 · kernel 6\.1\.0-41-amd64$/)).toBeTruthy();
  });

  it('asks for most mismatches first on the first click of that column, then flips; other columns start ascending', () => {
    const asked: string[] = [];
    render(
      <FleetTable stripEndsAt={null} nodes={fleet.nodes} filter={{ ...FILTER, sort: 'severity' }} hrefFor={(k, d) => `?sort=${k}&dir=${d}`} onSort={(k, d) => asked.push(`${k} ${d}`)} />,
    );
    const header = screen.getByRole('link', { name: /^ARP mismatches/ });
    expect(header.getAttribute('href')).toBe('?sort=mismatches&dir=desc');
    header.click();
    expect(screen.getByRole('link', { name: /^Node/ }).getAttribute('href')).toBe('?sort=name&dir=asc');
    cleanup();
    render(
      <FleetTable stripEndsAt={null} nodes={fleet.nodes} filter={{ ...FILTER, sort: 'mismatches', dir: 'desc' }} hrefFor={(k, d) => `?sort=${k}&dir=${d}`} onSort={(k, d) => asked.push(`${k} ${d}`)} />,
    );
    screen.getByRole('link', { name: /^ARP mismatches/ }).click();
    expect(asked).toEqual(['mismatches desc', 'mismatches asc']);
  });

  it('an empty list is a table with no node rows', () => {
    renderTable([]);
    const table = screen.getByRole('table', { name: /0 nodes/ });
    expect(within(table).getAllByRole('row')).toHaveLength(1);
    expect(screen.queryByRole('link', { name: /^n-/ })).toBeNull();
  });
});
