// The history endpoints over real stores (both engines), fed by real ingest: every list pages by cursor and
// walks each row exactly once, time ranges hold, CSV is RFC 4180, bad parameters are 422 and unknown nodes 404.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import type { NodeEvent } from '@/lib/events/types';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildLinkFiles, buildNewVethVerdict, buildReport, buildVeth, DEFAULT_LINK_PATH, MAC_NONE_DROPIN_PATH, nextReport } from '@/lib/report/fixtures';
import type { HostDevice, PackageEvent, Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { arpTimelineResponse, eventsResponse, hostDeviceHistoryResponse, hostDevicesResponse, linkFileHistoryResponse, vethHistoryResponse } from './http';
import type { ArpTimelineResponse, EventsResponse, HostDeviceHistoryResponse, HostDevicesResponse, LinkFileHistoryResponse, VethHistoryResponse } from './types';

const BASE = Date.parse('2026-11-20T00:00:00.000Z');
const min = (m: number) => new Date(BASE + m * 60_000).toISOString();
const NOW = new Date(BASE + 3 * 3600_000);
const url = (path: string) => new URL(`http://vethwatch.test${path}`);

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return (await r.json()) as T;
}

/** Follows nextCursor to the end; returns every page's items. */
async function walk<T>(fetchPage: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page = await fetchPage(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(200);
  } while (cursor);
  return pages;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(testEngines)('history API on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  const reports: Report[] = [];

  async function send(report: Report, receivedAt = new Date(Date.parse(report.collectedAt) + 1000)) {
    reports.push(report);
    return ingestReport(t.store, report, { bus, receivedAt });
  }

  /** Every stored event, id order: the truth pages are checked against. */
  async function allEvents(): Promise<NodeEvent[]> {
    const out: NodeEvent[] = [];
    for (;;) {
      const batch = await t.store.listEvents({ afterId: out.at(-1)?.id ?? 0, limit: 5000 });
      out.push(...batch);
      if (batch.length < 5000) return out;
    }
  }

  // One shared history, written once: node-1's veths come and go and break; node-2 reports alongside.
  let ifname0: string;
  beforeAll(async () => {
    t = await engine.open();
    let r = buildReport({ node: 'node-1', veths: 3, collectedAt: min(0), intervalSeconds: 60 });
    ifname0 = r.veths[0].ifname;
    await send(r);
    await send(buildReport({ node: 'node-2', veths: 2, mismatched: 1, collectedAt: min(0), intervalSeconds: 60 }));
    for (let k = 1; k <= 20; k++) {
      // veth 0 breaks on odd steps and is repaired on even ones; veths 1..3 come and go.
      r = buildReport({ ...structuredClone(r), veths: (k % 3) + 2, mismatched: k % 2, collectedAt: min(k * 5), intervalSeconds: 60 });
      r.reportId = crypto.randomUUID();
      await send(r);
      if (k % 4 === 0) {
        const n2 = buildReport({ node: 'node-2', veths: 2 + (k % 8 === 0 ? 1 : 0), mismatched: 1, collectedAt: min(k * 5 + 1), intervalSeconds: 60 });
        await send(n2);
      }
    }
  });
  afterAll(async () => {
    await t.cleanup();
  });

  describe('GET /api/v1/events', () => {
    const range = `from=${min(0)}&to=${min(200)}`;

    it.each(['asc', 'desc'] as const)('pages walk every event exactly once (%s)', async (order) => {
      const truth = (await allEvents()).map((e) => e.id);
      const pages = await walk((cursor) =>
        json<EventsResponse>(eventsResponse(t.store, url(`/api/v1/events?${range}&limit=7&order=${order}${cursor ? `&cursor=${cursor}` : ''}`), NOW)),
      );
      const ids = pages.flat().map((e) => e.id);
      expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
      expect(ids).toEqual(order === 'asc' ? truth : [...truth].reverse());
      expect(pages.flat()[0].summary).toEqual(expect.any(String));
    });

    it('respects the time range (from inclusive, to exclusive) and the node and type filters', async () => {
      const truth = (await allEvents()).filter((e) => e.at >= min(30) && e.at < min(60) && e.node === 'node-1' && (e.type === 'arp.changed' || e.type === 'veth.vanished'));
      expect(truth.length).toBeGreaterThan(3);
      const pages = await walk((cursor) =>
        json<EventsResponse>(
          eventsResponse(t.store, url(`/api/v1/events?from=${min(30)}&to=${min(60)}&node=node-1&type=arp.changed,veth.vanished&limit=2${cursor ? `&cursor=${cursor}` : ''}`), NOW),
        ),
      );
      expect(pages.flat().map((e) => e.id)).toEqual(truth.map((e) => e.id).reverse());
      const body = await json<EventsResponse>(eventsResponse(t.store, url(`/api/v1/events?from=${min(30)}&to=${min(60)}`), NOW));
      expect(body.range).toEqual({ from: min(30), to: min(60) });
      expect(body.items.every((e) => e.at >= min(30) && e.at < min(60))).toBe(true);
    });

    it('defaults to the last 24 hours before now, 200 rows, newest first', async () => {
      const body = await json<EventsResponse>(eventsResponse(t.store, url('/api/v1/events'), new Date(BASE + 24 * 3600_000 + 30 * 60_000)));
      expect(body.range).toEqual({ from: min(30), to: min(24 * 60 + 30) });
      expect(body.limit).toBe(200);
      expect(body.order).toBe('desc');
      expect(body.items.length).toBe((await allEvents()).filter((e) => e.at >= min(30)).length);
    });

    it('answers CSV with a header row and the same page', async () => {
      const res = await eventsResponse(t.store, url(`/api/v1/events?${range}&limit=5&format=csv&order=asc`), NOW);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="vethwatch-events-[A-Za-z0-9._-]+\.csv"$/);
      const text = await res.text();
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('id,at,receivedAt,node,type,subject,summary,data');
      expect(lines.at(-1)).toBe('');
      expect(lines.length).toBe(1 + 5 + 1);
      // The JSON column holds quotes and commas, so it is quoted with quotes doubled.
      expect(lines[1]).toMatch(/,"\{""/);
      const cursor = res.headers.get('x-next-cursor');
      expect(cursor).toBeTruthy();
      const page = await json<EventsResponse>(eventsResponse(t.store, url(`/api/v1/events?${range}&limit=5&order=asc`), NOW));
      expect(lines.slice(1, 6).map((l) => Number(l.split(',')[0]))).toEqual(page.items.map((e) => e.id));
      expect(cursor).toBe(page.nextCursor);
    });

    it.each([
      ['a bad from', 'from=yesterday', 'from'],
      ['limit 0', 'limit=0', 'limit'],
      ['limit over 1000', 'limit=1001', 'limit'],
      ['a forged cursor', 'cursor=bm90LWpzb24', 'cursor'],
      ['from after to', `from=${min(60)}&to=${min(30)}`, 'from'],
      ['an unknown type', 'type=veth.exploded', 'type'],
      ['an unknown format', 'format=xml', 'format'],
      ['an unknown order', 'order=sideways', 'order'],
    ])('refuses %s with 422 naming the parameter', async (_name, query, param) => {
      const res = await eventsResponse(t.store, url(`/api/v1/events?${query}`), NOW);
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; issues: { path: (string | number)[] }[] };
      expect(body.error).toBe('query parameters failed validation');
      expect(body.issues.map((i) => i.path[0])).toContain(param);
    });
  });

  describe('GET /api/v1/nodes/{name}/veths/{ifname}/history', () => {
    it('lists appear, MAC changes (set by userspace) and ARP changes with pods, paged oldest first', async () => {
      const truth = (await allEvents()).filter(
        (e) => e.node === 'node-1' && e.subject === ifname0 && ['veth.appeared', 'veth.vanished', 'veth.mac_changed', 'arp.changed'].includes(e.type),
      );
      expect(truth.length).toBeGreaterThan(20);
      const pages = await walk((cursor) =>
        json<VethHistoryResponse>(
          vethHistoryResponse(t.store, 'node-1', ifname0, url(`/x?from=${min(0)}&to=${min(200)}&limit=4${cursor ? `&cursor=${cursor}` : ''}`), NOW),
        ),
      );
      const items = pages.flat();
      expect(items.map((i) => i.id)).toEqual(truth.map((e) => e.id));
      expect(items[0]).toMatchObject({ kind: 'appeared', ifname: ifname0, macFrom: null, initial: true, pod: { namespace: 'default', name: 'node-1-pod-0' } });
      const broke = items.find((i) => i.kind === 'mac_changed' && i.setByUserspace);
      expect(broke).toMatchObject({ addrAssignType: 3, macFrom: buildVeth({ node: 'node-1', index: 0 }).mac, macTo: buildVeth({ node: 'node-1', index: 0, mismatch: true }).mac });
      const repaired = items.find((i) => i.kind === 'mac_changed' && !i.setByUserspace);
      expect(repaired?.addrAssignType).toBe(1);
      expect(items.filter((i) => i.kind === 'arp_changed').map((i) => [i.arpFrom, i.arpTo]).slice(0, 2)).toEqual([
        ['ok', 'mismatch'],
        ['mismatch', 'ok'],
      ]);
    });

    it('answers CSV; unknown nodes are 404', async () => {
      const res = await vethHistoryResponse(t.store, 'node-1', ifname0, url(`/x?from=${min(0)}&to=${min(200)}&format=csv`), NOW);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const [header, first] = (await res.text()).split('\r\n');
      expect(header).toBe('id,at,receivedAt,kind,ifname,ifindex,macFrom,macTo,addrAssignType,setByUserspace,pod,podIP,arpFrom,arpTo,gatewayLladdr,initial,summary');
      expect(first).toContain(',appeared,');
      const missing = await vethHistoryResponse(t.store, 'no-such-node', ifname0, url('/x'), NOW);
      expect(missing.status).toBe(404);
    });
  });

  describe('GET /api/v1/nodes/{name}/arp-timeline', () => {
    it('derives one interval per broken stretch: closed ones, and the ongoing one', async () => {
      const body = await json<ArpTimelineResponse>(arpTimelineResponse(t.store, 'node-1', url(`/x?from=${min(0)}&to=${min(200)}`), NOW));
      // Broken on odd steps k=1..19 (at 5k min), repaired on the next even one.
      expect(body.intervals.map((i) => [i.from, i.to, i.status])).toEqual(
        Array.from({ length: 10 }, (_, j) => [min((2 * j + 1) * 5), min((2 * j + 2) * 5), 'closed']),
      );
      expect(body.lanes).toEqual([{ lane: 'default/node-1-pod-0', pod: { namespace: 'default', name: 'node-1-pod-0' }, ifname: ifname0 }]);
      expect(body.now).toBe(NOW.toISOString());
      expect(body.stale).toBe(true);
    });

    it('returns an interval that began before the range with its real start, and pages by interval', async () => {
      const body = await json<ArpTimelineResponse>(arpTimelineResponse(t.store, 'node-1', url(`/x?from=${min(17)}&to=${min(32)}`), NOW));
      expect(body.intervals.map((i) => [i.from, i.to])).toEqual([
        [min(15), min(20)],
        [min(25), min(30)],
      ]);
      const pages = await walk(async (cursor) => {
        const page = await json<ArpTimelineResponse>(
          arpTimelineResponse(t.store, 'node-1', url(`/x?from=${min(12)}&to=${min(200)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`), NOW),
        );
        return { items: page.intervals, nextCursor: page.nextCursor };
      });
      expect(pages.flat().map((i) => i.from)).toEqual(Array.from({ length: 9 }, (_, j) => min((2 * j + 3) * 5)));
      expect(new Set(pages.flat().map((i) => i.openedByEventId)).size).toBe(9);
    });

    it("a node's ongoing mismatch is unconfirmed since its last report once it goes stale", async () => {
      // node-2 has had veth 0 broken since its first report.
      const lastReportAt = (await t.store.getNode('node-2'))!.node.lastReportAt;
      const fresh = new Date(Date.parse(lastReportAt) + 60_000);
      const live = await json<ArpTimelineResponse>(arpTimelineResponse(t.store, 'node-2', url(`/x?from=${min(0)}&to=${fresh.toISOString()}`), fresh));
      expect(live.stale).toBe(false);
      expect(live.intervals.map((i) => [i.from, i.status, i.unconfirmedSince])).toEqual([[min(0), 'ongoing', null]]);
      expect(live.lastReportAt).toBe(lastReportAt);

      const late = new Date(Date.parse(lastReportAt) + 3600_000);
      const stale = await json<ArpTimelineResponse>(arpTimelineResponse(t.store, 'node-2', url(`/x?from=${min(0)}&to=${late.toISOString()}`), late));
      expect(stale.stale).toBe(true);
      expect(stale.intervals.map((i) => [i.from, i.status, i.to, i.unconfirmedSince])).toEqual([[min(0), 'ongoing', null, lastReportAt]]);
      // A range after the last report still shows it: it is open until someone says otherwise.
      const after = await json<ArpTimelineResponse>(
        arpTimelineResponse(t.store, 'node-2', url(`/x?from=${new Date(late.getTime() - 60_000).toISOString()}&to=${late.toISOString()}`), late),
      );
      expect(after.intervals).toHaveLength(1);
    });

    it('answers CSV of the intervals', async () => {
      const res = await arpTimelineResponse(t.store, 'node-1', url(`/x?from=${min(0)}&to=${min(200)}&format=csv&limit=2`), NOW);
      const lines = (await res.text()).split('\r\n');
      expect(lines[0]).toBe('lane,pod,ifname,from,to,status,unconfirmedSince,hostMac,gatewayLladdr,closeReason');
      expect(lines[1]).toBe(
        ['default/node-1-pod-0', 'default/node-1-pod-0', ifname0, min(5), min(10), 'closed', '', buildVeth({ node: 'node-1', index: 0, mismatch: true }).mac, buildVeth({ node: 'node-1', index: 0 }).mac, 'arp-ok'].join(','),
      );
      expect(res.headers.get('x-next-cursor')).toBeTruthy();
    });
  });
});

describe.each(testEngines)('link-file history and drift on $name', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await engine.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('names a content change under an unchanged mtime and a policy change after a udev upgrade, with diffs', async () => {
    const bus = createEventBus();
    const r1 = buildReport({ node: 'n1', veths: 1, collectedAt: '2026-11-26T10:00:00.000Z' });
    await ingestReport(t.store, r1, { bus, receivedAt: new Date('2026-11-26T10:00:01.000Z') });

    // The upgrade ships a 99-default.link whose policy is none, with the package's old mtime.
    const upgrade: PackageEvent = {
      at: '2026-11-26T11:58:00.000Z',
      action: 'upgrade',
      package: 'udev',
      arch: 'amd64',
      fromVersion: '252.39-1~deb12u2',
      toVersion: '252.40-1~deb12u1',
      source: 'dpkg.log',
    };
    const r2 = nextReport(r1, 7200);
    const stock = r2.linkPolicy.files[0];
    const content = stock.content!.replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none');
    r2.linkPolicy.files[0] = { ...stock, content, sha256: sha(content), size: Buffer.byteLength(content), macAddressPolicy: 'none', differsFromPackage: true };
    r2.linkPolicy.newVeth = buildNewVethVerdict('none');
    r2.linkPolicy.newVeth.dropIns = [];
    r2.linkPolicy.packageEvents = [...r2.linkPolicy.packageEvents, upgrade];
    await ingestReport(t.store, r2, { bus, receivedAt: new Date('2026-11-26T12:00:01.000Z') });

    // Later an admin adds the drop-in: a new file, nothing drifted.
    const r3 = nextReport(r2, 600);
    r3.linkPolicy.files = [r2.linkPolicy.files[0], buildLinkFiles('none')[1]];
    r3.linkPolicy.newVeth = buildNewVethVerdict('none');
    await ingestReport(t.store, r3, { bus, receivedAt: new Date('2026-11-26T12:10:01.000Z') });

    const now = new Date('2026-11-26T13:00:00.000Z');
    const body = await json<LinkFileHistoryResponse>(linkFileHistoryResponse(t.store, 'n1', url('/x'), now));
    expect(body.files.map((f) => [f.path, f.versions.map((v) => v.change)])).toEqual([
      [MAC_NONE_DROPIN_PATH, ['appeared']],
      [DEFAULT_LINK_PATH, ['appeared', 'changed']],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    const changed = body.files.find((f) => f.path === DEFAULT_LINK_PATH)!.versions[1];
    expect(changed.previous?.sha256).toBe(stock.sha256);
    expect(changed.version.sha256).toBe(sha(content));
    expect(changed.diff).toContain(`--- a${DEFAULT_LINK_PATH}\n+++ b${DEFAULT_LINK_PATH}\n@@ `);
    expect(changed.diff).toContain('-MACAddressPolicy=persistent\n+MACAddressPolicy=none\n');

    expect(body.drift.map((d) => d.message)).toEqual([
      `policy for new veths went from persistent to none: \`${DEFAULT_LINK_PATH}\` changed after \`udev\` 252.40-1~deb12u1 was upgraded at 2026-11-26T11:58:00.000Z`,
      'content of `99-default.link` changed while its mtime stayed at 2025-06-26T17:01:45.000Z after `udev` 252.40-1~deb12u1 was upgraded at 2026-11-26T11:58:00.000Z',
      '`99-default.link` now differs from the copy in package `udev` 252.39-1~deb12u2 after `udev` 252.40-1~deb12u1 was upgraded at 2026-11-26T11:58:00.000Z',
      // The admin's unowned drop-in is not blamed on the upgrade ten minutes earlier.
      `the files deciding the policy for new veths went from \`99-default.link\` to \`99-default.link\` + \`50-mac-none.conf\` (policy none): \`${MAC_NONE_DROPIN_PATH}\` appeared`,
    ]);
    expect(body.drift.map((d) => d.kind)).toEqual(['policy-changed', 'content-changed-mtime-unchanged', 'differs-from-package', 'policy-changed']);

    // One file only, paged one version at a time.
    const pages = await walk(async (cursor) => {
      const page = await json<LinkFileHistoryResponse>(
        linkFileHistoryResponse(t.store, 'n1', url(`/x?path=${encodeURIComponent(DEFAULT_LINK_PATH)}&limit=1${cursor ? `&cursor=${cursor}` : ''}`), now),
      );
      return { items: page.files.flatMap((f) => f.versions), nextCursor: page.nextCursor };
    });
    expect(pages.map((p) => p.map((v) => v.change))).toEqual([['appeared'], ['changed']]);

    // CSV: the diff's newlines and the content stay inside one quoted field.
    const res = await linkFileHistoryResponse(t.store, 'n1', url('/x?format=csv'), now);
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe(
      'id,at,receivedAt,path,change,initial,sha256,size,mtime,macAddressPolicy,masked,package,differsFromPackage,previousSha256,previousMtime,diff',
    );
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(1 + 3);
    // A diff starts with "-", a formula start for spreadsheets: written with OWASP's leading quote (lib/history/csv.ts).
    expect(text).toContain(`,"'--- a${DEFAULT_LINK_PATH}\n`);
  });
});

describe.each(testEngines)('host device history on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  const cni0: HostDevice = { ifname: 'cni0', kind: 'bridge', role: 'cni-bridge', mac: '0a:58:0a:f4:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH };
  const flannel: HostDevice = { ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac: 'aa:bb:cc:00:00:00', addrAssignType: 1, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH };
  const flannelMac = (k: number) => `aa:bb:cc:00:00:${String(k).padStart(2, '0')}`;
  const now = new Date(BASE + 3 * 3600_000);

  beforeAll(async () => {
    t = await engine.open();
    // An old agent first (no hostDevices), then the upgraded one; flannel.1 is re-MACed at each of 6 reports, and
    // an old agent's report in between must not read as every device vanishing.
    const old = buildReport({ node: 'hd', veths: 1, collectedAt: min(0) });
    await ingestReport(t.store, old, { bus, receivedAt: new Date(BASE + 1000) });
    let r = old;
    for (let k = 1; k <= 6; k++) {
      r = nextReport(r, 300);
      r.hostDevices = [cni0, { ...flannel, mac: flannelMac(k), addrAssignType: k === 1 ? 1 : 3, udevRewritesMac: k === 1 }];
      await ingestReport(t.store, r, { bus, receivedAt: new Date(Date.parse(r.collectedAt) + 1000) });
      if (k === 3) {
        const older = nextReport(r, 60);
        delete older.hostDevices;
        await ingestReport(t.store, older, { bus, receivedAt: new Date(Date.parse(older.collectedAt) + 1000) });
        r = older;
        r.hostDevices = [cni0, { ...flannel, mac: flannelMac(k), addrAssignType: 3, udevRewritesMac: false }];
      }
    }
    // Identical again: no history.
    await ingestReport(t.store, nextReport(r, 300), { bus, receivedAt: new Date(BASE + 7200_000) });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("lists appearance and every MAC change of one device, paged by cursor, oldest first; no vanishing for an old agent's report", async () => {
    const pages = await walk((cursor) =>
      json<HostDeviceHistoryResponse>(hostDeviceHistoryResponse(t.store, 'hd', 'flannel.1', url(`/x?from=${min(0)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`), now)),
    );
    const items = pages.flat();
    expect(pages.length).toBe(3);
    expect(items.map((i) => [i.kind, i.macFrom, i.macTo, i.initial])).toEqual([
      ['appeared', null, flannelMac(1), true],
      ['mac_changed', flannelMac(1), flannelMac(2), false],
      ['mac_changed', flannelMac(2), flannelMac(3), false],
      // The old agent's report between k=3 and k=4 said nothing about the devices (no vanished): the next report
      // listing them is a new start, its devices there since an unknown time.
      ['appeared', null, flannelMac(4), true],
      ['mac_changed', flannelMac(4), flannelMac(5), false],
      ['mac_changed', flannelMac(5), flannelMac(6), false],
    ]);
    expect(items[1]).toMatchObject({ deviceKind: 'vxlan', role: 'overlay', addrAssignType: 3, setByUserspace: true, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH });
    expect(items[1].summary).toBe(`flannel.1 (overlay, vxlan) MAC changed ${flannelMac(1)} -> ${flannelMac(2)} (set by userspace: udev re-MACed it per 99-default.link)`);
    expect(items[2].summary).toBe(`flannel.1 (overlay, vxlan) MAC changed ${flannelMac(2)} -> ${flannelMac(3)} (set by userspace)`);
    const desc = await json<HostDeviceHistoryResponse>(hostDeviceHistoryResponse(t.store, 'hd', 'flannel.1', url(`/x?from=${min(0)}&order=desc&limit=1`), now));
    expect(desc.items.map((i) => i.macTo)).toEqual([flannelMac(6)]);
    const cni = await json<HostDeviceHistoryResponse>(hostDeviceHistoryResponse(t.store, 'hd', 'cni0', url(`/x?from=${min(0)}`), now));
    expect(cni.items.map((i) => [i.kind, i.initial])).toEqual([
      ['appeared', true],
      ['appeared', true],
    ]);
  });

  it('the events API filters by the new types and its CSV carries their words', async () => {
    const body = await json<EventsResponse>(eventsResponse(t.store, url(`/api/v1/events?from=${min(0)}&node=hd&type=hostdevice.appeared,hostdevice.vanished&order=asc`), now));
    expect(body.items.map((e) => [e.type, e.subject])).toEqual([
      ['hostdevice.appeared', 'cni0'],
      ['hostdevice.appeared', 'flannel.1'],
      ['hostdevice.appeared', 'cni0'],
      ['hostdevice.appeared', 'flannel.1'],
    ]);
    const res = await eventsResponse(t.store, url(`/api/v1/events?from=${min(0)}&node=hd&type=hostdevice.mac_changed&format=csv&order=asc&limit=1`), now);
    const [, row] = (await res.text()).split('\r\n');
    // The summary holds a comma, so it is quoted.
    expect(row).toContain(`,hostdevice.mac_changed,flannel.1,"flannel.1 (overlay, vxlan) MAC changed ${flannelMac(1)} -> ${flannelMac(2)} (set by userspace: udev re-MACed it per 99-default.link)",`);
  });

  it('answers CSV; bad parameters are 422 and unknown nodes 404', async () => {
    const res = await hostDeviceHistoryResponse(t.store, 'hd', 'flannel.1', url(`/x?from=${min(0)}&format=csv&limit=2`), now);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="vethwatch-host-device-hd-flannel.1-[A-Za-z0-9._-]+\.csv"$/);
    expect(res.headers.get('x-next-cursor')).toBeTruthy();
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('id,at,receivedAt,kind,ifname,deviceKind,role,macFrom,macTo,addrAssignType,setByUserspace,udevRewritesMac,linkFile,initial,summary');
    expect(lines[1]).toContain(`,appeared,flannel.1,vxlan,overlay,,${flannelMac(1)},1,false,true,${DEFAULT_LINK_PATH},true,`);
    expect(lines.filter(Boolean)).toHaveLength(3);
    for (const query of ['limit=0', 'order=sideways', 'format=xml', 'cursor=bm90LWpzb24', `from=${min(60)}&to=${min(30)}`]) {
      expect((await hostDeviceHistoryResponse(t.store, 'hd', 'flannel.1', url(`/x?${query}`), now)).status, query).toBe(422);
    }
    expect((await hostDeviceHistoryResponse(t.store, 'nobody', 'flannel.1', url('/x'), now)).status).toBe(404);
    expect((await hostDevicesResponse(t.store, 'nobody')).status).toBe(404);
  });

  it("lists the last report's devices with their last MAC change", async () => {
    const body = await json<HostDevicesResponse>(hostDevicesResponse(t.store, 'hd', now));
    expect(body.reported).toBe(true);
    expect(body.devices.map((d) => [d.ifname, d.mac, d.lastMacChange?.macFrom ?? null, d.lastMacChange?.macTo ?? null])).toEqual([
      ['cni0', cni0.mac, null, null],
      ['flannel.1', flannelMac(6), flannelMac(5), flannelMac(6)],
    ]);
    expect(body.devices[1].lastMacChange?.at).toBe(min(31));
    // Aged on the server's clock from when the revealing report was received (a second after it was collected).
    expect(body.devices.map((d) => d.lastMacChangeAgeSeconds)).toEqual([null, (now.getTime() - Date.parse(min(31))) / 1000 - 1]);
  });
});
