// @vitest-environment happy-dom
// The node page's header as a person sees it, for a broken, an at-risk, a healthy and a stale node. The nodes are
// the real read model (reports ingested into a SQLite store, read back with getNodeFrom).
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getNodeFrom } from '@/lib/nodes/read';
import type { NodeDetail } from '@/lib/nodes/types';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { NodeHeader } from './NodeHeader';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

let t: TestStore;
const nodes = new Map<string, NodeDetail>();

beforeAll(async () => {
  t = await sqlite.open();
  const bus = createEventBus();
  const send = (r: Parameters<typeof ingestReport>[1], s: number) => ingestReport(t.store, r, { bus, receivedAt: at(s) });
  await send(buildReport({ node: 'n-broken', veths: 4, mismatched: 2, collectedAt: at(100) }), 100);
  await send(buildReport({ node: 'n-at-risk', veths: 3, policy: 'persistent', collectedAt: at(100) }), 100);
  await send(buildReport({ node: 'n-healthy', veths: 2, policy: 'none', collectedAt: at(100) }), 100);
  await send(buildReport({ node: 'n-stale', veths: 2, mismatched: 1, intervalSeconds: 10, collectedAt: at(0) }), 0);
  for (const name of ['n-broken', 'n-at-risk', 'n-healthy', 'n-stale']) nodes.set(name, (await getNodeFrom(t.store, name, at(110)))!);
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

const show = (name: string) => render(<NodeHeader node={nodes.get(name)!} />);
/** The value of one fact in the "Node facts" list, by its term. */
function fact(term: string): string {
  const list = screen.getByLabelText('Node facts');
  const dt = within(list).getByText(term, { selector: 'dt' });
  return dt.nextElementSibling?.textContent ?? '';
}

describe('NodeHeader', () => {
  it('names the node in the heading and the breadcrumb, with a way back to the fleet', () => {
    show('n-broken');
    expect(screen.getByRole('heading', { level: 1, name: 'n-broken' })).toBeTruthy();
    const crumbs = screen.getByRole('navigation', { name: 'Breadcrumb' });
    expect(within(crumbs).getByRole('link', { name: 'Fleet' }).getAttribute('href')).toBe('/');
    expect(within(crumbs).getByText('n-broken').getAttribute('aria-current')).toBe('page');
  });

  it('a broken node: "Broken" and why, and the facts from its report', () => {
    show('n-broken');
    expect(screen.getByText('Broken')).toBeTruthy();
    expect(screen.getByText(/^2 pods have a gateway ARP entry/)).toBeTruthy();
    expect(fact('OS')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(fact('Kernel')).toBe('6.1.0-41-amd64');
    expect(fact('systemd')).toBe('252');
    expect(fact('Last report')).toMatch(/ago · every 30 s$/);
    expect(screen.queryByText(/No report for/)).toBeNull();
  });

  it('an at-risk node: "At risk" and why', () => {
    show('n-at-risk');
    expect(screen.getByText('At risk')).toBeTruthy();
    expect(screen.getByText(nodes.get('n-at-risk')!.stateReason)).toBeTruthy();
    expect(nodes.get('n-at-risk')!.stateReason).toMatch(/persistent|rewrite/i);
  });

  it('a healthy node: "Healthy", no warning banner', () => {
    show('n-healthy');
    expect(screen.getByText('Healthy')).toBeTruthy();
    expect(screen.queryByText(/No report for/)).toBeNull();
  });

  it('a stale node: "Stale" and a banner saying how long it has been silent and what it last said', () => {
    show('n-stale');
    expect(screen.getByText('Stale')).toBeTruthy();
    const banner = screen.getByText(/No report for/).closest('.banner') as HTMLElement;
    expect(banner.textContent).toMatch(/^No report for 1 min 50 s ago\. The agent reports every 10 s\./);
    expect(banner.textContent).toContain('which said the node was broken, and may no longer be true');
    // The frozen reason is not repeated next to the badge: the banner says it with a live age.
    expect(screen.queryByText(nodes.get('n-stale')!.stateReason)).toBeNull();
  });
  it('names the affected pods, each linked to its veth row (history open), and none on a node without mismatches', () => {
    show('n-broken');
    const node = nodes.get('n-broken')!;
    const bad = node.veths.filter((v) => v.arpStatus === 'mismatch').sort((a, b) => a.ifname.localeCompare(b.ifname));
    expect(screen.getByRole('heading', { name: '2 affected pods' })).toBeTruthy();
    for (const v of bad) {
      const link = screen.getByRole('link', { name: `${v.pod!.namespace}/${v.pod!.name}` });
      expect(link.getAttribute('href')).toBe(`?veth=${v.ifname}#veth-${v.ifname}`);
    }
    cleanup();
    show('n-at-risk');
    expect(screen.queryByRole('heading', { name: /affected pod/ })).toBeNull();
  });
});
