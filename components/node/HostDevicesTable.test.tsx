// @vitest-environment happy-dom
// The node page's host devices as a person sees them: the data is what GET /api/v1/nodes/{name}/host-devices and
// its per-device history answer (the real handlers over a SQLite store fed real reports), put in the query cache as
// the server's prefetch would. Each device row says when its MAC last changed and who changed it, and its
// disclosure button opens its history.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { hostDeviceHistoryResponse, hostDevicesResponse } from '@/lib/history/http';
import type { HostDeviceHistoryResponse, HostDevicesResponse } from '@/lib/history/types';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { hostDeviceHistoryQuery, hostDevicesQuery } from '@/lib/queries/options';
import { buildReport, DEFAULT_LINK_PATH, nextReport } from '@/lib/report/fixtures';
import type { HostDevice } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { HostDevicesTable } from './HostDevicesTable';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const cni0: HostDevice = { ifname: 'cni0', kind: 'bridge', role: 'cni-bridge', mac: '0a:58:0a:f4:00:01', addrAssignType: 3, udevRewritesMac: false, linkFile: null };
const flannel: HostDevice = { ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac: 'aa:bb:cc:00:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH };

let t: TestStore;
let devices: HostDevicesResponse;
let oldAgent: HostDevicesResponse;
let history: HostDeviceHistoryResponse;

beforeAll(async () => {
  t = await sqlite.open();
  const bus = createEventBus();
  const r1 = buildReport({ node: 'n-flannel', veths: 1, collectedAt: at(0), hostDevices: [cni0, flannel] });
  await ingestReport(t.store, r1, { bus, receivedAt: at(0) });
  // udev re-MACs flannel.1 (its .link file sets MACAddressPolicy=persistent).
  const r2 = nextReport(r1, 600);
  r2.hostDevices = [cni0, { ...flannel, mac: 'aa:bb:cc:00:00:02', addrAssignType: 3, udevRewritesMac: false }];
  await ingestReport(t.store, r2, { bus, receivedAt: at(600) });
  await ingestReport(t.store, buildReport({ node: 'n-old', veths: 1, collectedAt: at(0) }), { bus, receivedAt: at(0) });
  devices = await (await hostDevicesResponse(t.store, 'n-flannel', at(720))).json();
  oldAgent = await (await hostDevicesResponse(t.store, 'n-old', at(720))).json();
  history = await (await hostDeviceHistoryResponse(t.store, 'n-flannel', 'flannel.1', new URL('http://vethwatch.test/x?from=1970-01-01T00:00:00.000Z&order=desc'), at(720))).json();
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function show(name: string, data: HostDevicesResponse) {
  // No fetch may happen: the table must show what the server prefetched under the browser's keys.
  const fetchSpy = vi.fn(async () => new Response('{}', { status: 500 }));
  vi.stubGlobal('fetch', fetchSpy);
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(hostDevicesQuery(name).queryKey, data);
  client.setQueryData(hostDeviceHistoryQuery(name, 'flannel.1').queryKey, history);
  render(
    <QueryClientProvider client={client}>
      <HostDevicesTable node={name} />
    </QueryClientProvider>,
  );
  return fetchSpy;
}

describe('HostDevicesTable', () => {
  it("lists each device with its last MAC change, its age and udev's part", () => {
    const fetchSpy = show('n-flannel', devices);
    const table = screen.getByRole('table', { name: /Host devices/ });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const [cni, fl] = rows;
    expect(within(cni).getByRole('rowheader').textContent).toBe('cni0');
    expect(cni.textContent).toContain('never');
    expect(within(fl).getByRole('button', { name: 'flannel.1' }).getAttribute('aria-expanded')).toBe('false');
    const last = within(fl).getAllByRole('cell').at(-1)!;
    expect(last.textContent).toContain('aa:bb:cc:00:00:01 → aa:bb:cc:00:00:02');
    expect(last.textContent).toContain('set by userspace: udev re-MACed it per 99-default.link');
    // Aged on the server's clock: received at 600 s, listed at 720 s.
    const age = last.querySelector('time')!;
    expect(age.getAttribute('dateTime')).toBe(at(600).toISOString());
    expect(age.textContent).toMatch(/^2 min/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("the device's disclosure opens its MAC history, newest first", () => {
    show('n-flannel', devices);
    const button = screen.getByRole('button', { name: 'flannel.1' });
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const panel = document.getElementById(button.getAttribute('aria-controls')!)!;
    const historyTable = within(panel).getByRole('table', { name: /MAC history of flannel\.1/ });
    expect(within(historyTable).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-kind'))).toEqual(['mac_changed', 'appeared']);
    expect(within(historyTable).getByRole('link', { name: 'CSV' }).getAttribute('href')).toMatch(/^\/api\/v1\/nodes\/n-flannel\/host-devices\/flannel\.1\/history\?.*format=csv$/);
  });

  it("says so when the node's agent predates host devices", () => {
    show('n-old', oldAgent);
    expect(screen.getByText("This node's agent does not report host devices (it predates them).")).toBeTruthy();
  });
});
