// @vitest-environment happy-dom
// The ARP-mismatch timeline as a person sees it: a lane per pod, each interval a button whose name says when and
// which MACs, ongoing ones flagged. The data is what GET /api/v1/nodes/{name}/arp-timeline answers (the real
// handler over a SQLite store fed real reports), put in the query cache as the server's prefetch would.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { arpTimelineResponse } from '@/lib/history/http';
import type { ArpTimelineResponse } from '@/lib/history/types';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { arpTimelineQuery } from '@/lib/queries/options';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ArpTimeline } from './ArpTimeline';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);

let t: TestStore;
const timelines = new Map<string, ArpTimelineResponse>();

async function timeline(name: string, now: Date): Promise<ArpTimelineResponse> {
  const url = new URL(`http://vethwatch.test/x?from=${new Date(now.getTime() - 86400_000).toISOString()}&to=${now.toISOString()}`);
  return (await arpTimelineResponse(t.store, name, url, now)).json();
}

beforeAll(async () => {
  t = await sqlite.open();
  const bus = createEventBus();
  const send = (r: Parameters<typeof ingestReport>[1], s: number) => ingestReport(t.store, r, { bus, receivedAt: at(s) });
  // Two pods break; ten minutes later one is fixed and the other is still broken.
  await send(buildReport({ node: 'n-broken', veths: 3, mismatched: 2, collectedAt: at(0) }), 0);
  await send(buildReport({ node: 'n-broken', veths: 3, mismatched: 1, collectedAt: at(600) }), 600);
  await send(buildReport({ node: 'n-healthy', veths: 2, policy: 'none', collectedAt: at(600) }), 600);
  // Broken, then silent: its ongoing interval is no longer confirmed.
  await send(buildReport({ node: 'n-stale', veths: 2, mismatched: 1, intervalSeconds: 10, collectedAt: at(0) }), 0);
  for (const name of ['n-broken', 'n-healthy', 'n-stale']) timelines.set(name, await timeline(name, at(610)));
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

function show(name: string) {
  // No fetch may happen: the component must show what the server prefetched under the browser's key.
  const fetchSpy = vi.fn(async () => new Response('{}', { status: 500 }));
  vi.stubGlobal('fetch', fetchSpy);
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(arpTimelineQuery(name, '24h').queryKey, timelines.get(name)!);
  render(
    <QueryClientProvider client={client}>
      <ArpTimeline name={name} />
    </QueryClientProvider>,
  );
  return fetchSpy;
}

afterEach(() => vi.unstubAllGlobals());

describe('ArpTimeline', () => {
  it('a node with a fixed and an ongoing mismatch: one lane per pod, each interval named with its times and MACs', () => {
    const data = timelines.get('n-broken')!;
    expect(data.intervals.map((i) => i.status).sort()).toEqual(['closed', 'ongoing']);
    const fetchSpy = show('n-broken');
    const section = screen.getByRole('region', { name: 'ARP mismatch timeline' });
    expect(within(section).getByText('2 intervals, 1 ongoing in the last 1 h')).toBeTruthy();

    const lanes = within(screen.getByRole('list', { name: 'Pods with ARP mismatches' })).getAllByRole('listitem');
    expect(lanes).toHaveLength(2);
    const ongoing = data.intervals.find((i) => i.status === 'ongoing')!;
    const closed = data.intervals.find((i) => i.status === 'closed')!;
    const laneOf = (pod: string) => lanes.find((l) => within(l).queryByText(pod)) as HTMLElement;

    const open = within(laneOf(ongoing.pod!.name));
    expect(open.getByText('mismatch ongoing')).toBeTruthy();
    const openButton = open.getByRole('button');
    expect(openButton.getAttribute('aria-label')).toMatch(
      new RegExp(`^${ongoing.pod!.namespace}/${ongoing.pod!.name}: ARP mismatch ongoing since 2026-11-26 12:00:00 UTC \\(10 min\\); host veth ${ongoing.ifname} has ${ongoing.hostMac}, pod's gateway entry points at ${ongoing.gatewayLladdr}$`),
    );

    const fixed = within(laneOf(closed.pod!.name));
    expect(fixed.queryByText('mismatch ongoing')).toBeNull();
    expect(fixed.getByRole('button').getAttribute('aria-label')).toMatch(/: ARP mismatch from .* to .* \(10 min\); host veth /);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('zoom and export controls: opens on 1 h for an incident younger than an hour, else 24 h; exports name the node', () => {
    show('n-healthy');
    const zoomOf = () =>
      within(screen.getByRole('group', { name: 'Zoom' }))
        .getAllByRole('link')
        .map((a) => [a.textContent, a.getAttribute('aria-current')]);
    expect(zoomOf()).toEqual([
      ['1 h', null],
      ['24 h', 'true'],
      ['7 d', null],
      ['30 d', null],
    ]);
    cleanup();
    // The ongoing mismatch started 10 minutes ago: the 24 h view would draw it as a sliver at the right edge.
    show('n-broken');
    expect(zoomOf()).toEqual([
      ['1 h', 'true'],
      ['24 h', null],
      ['7 d', null],
      ['30 d', null],
    ]);
    // Choosing 24 h must stay 24 h: the link names it rather than falling back to the default.
    expect(within(screen.getByRole('group', { name: 'Zoom' })).getByRole('link', { name: '24 h' }).getAttribute('href')).toBe('?range=24h#timeline');
    const csv = within(screen.getByRole('group', { name: 'Export timeline' })).getByRole('link', { name: 'CSV' });
    expect(csv.getAttribute('download')).toBe('n-broken-arp-timeline.csv');
    expect(csv.getAttribute('href')).toMatch(/^\/api\/v1\/nodes\/n-broken\/arp-timeline\?from=.*&format=csv$/);
  });

  it('a healthy node: says no pod had a wrong gateway MAC, and draws no lanes', () => {
    show('n-healthy');
    expect(screen.getByText(/No pod had a wrong gateway MAC in the last 24 h\./)).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Pods with ARP mismatches' })).toBeNull();
  });

  it('a stale node: says its ongoing intervals are unconfirmed since the last report', () => {
    const data = timelines.get('n-stale')!;
    expect(data.stale).toBe(true);
    show('n-stale');
    expect(screen.getByText(/^The node is stale: ongoing intervals are unconfirmed since/)).toBeTruthy();
    expect(screen.getByRole('button').getAttribute('aria-label')).toMatch(/; not confirmed since /);
  });

  it('while loading, says so; when the API fails with nothing to show, an alert says why', async () => {
    vi.stubGlobal('fetch', vi.fn(() => new Promise(() => undefined)));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <ArpTimeline name="n-broken" />
      </QueryClientProvider>,
    );
    expect(screen.getByText('Loading the timeline…')).toBeTruthy();
    cleanup();

    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ error: 'no node named "ghost" has reported' }, { status: 404 })));
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <ArpTimeline name="ghost" />
      </QueryClientProvider>,
    );
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the timeline: no node named "ghost" has reported');
  });
});
