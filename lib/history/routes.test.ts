// The Next route handlers are thin: this checks their wiring (params, the process-wide store, error mapping) on
// each engine by pointing the process-wide store at a test database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as eventsGET } from '@/app/api/v1/events/route';
import { GET as arpGET } from '@/app/api/v1/nodes/[name]/arp-timeline/route';
import { GET as hostDevicesGET } from '@/app/api/v1/nodes/[name]/host-devices/route';
import { GET as hostDeviceGET } from '@/app/api/v1/nodes/[name]/host-devices/[ifname]/history/route';
import { flannelDevice } from '@/lib/fleet/fixtures';
import { GET as linkFilesGET } from '@/app/api/v1/nodes/[name]/link-files/history/route';
import { GET as vethGET } from '@/app/api/v1/nodes/[name]/veths/[ifname]/history/route';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import { closeStore, getStore } from '@/lib/store';
import { createPgDatabase, sqliteTempFile } from '@/lib/store/testing';
import type { ArpTimelineResponse, EventsResponse, HostDeviceHistoryResponse, HostDevicesResponse, LinkFileHistoryResponse, VethHistoryResponse } from './types';

const engines = [
  {
    name: 'sqlite',
    async setup() {
      const tmp = sqliteTempFile();
      return { env: { VETHWATCH_DB: tmp.file, DATABASE_URL: '' }, cleanup: async () => tmp.remove() };
    },
  },
  {
    name: 'postgres',
    async setup() {
      const db = await createPgDatabase();
      return { env: { DATABASE_URL: db.url }, cleanup: () => db.drop() };
    },
  },
];

describe.each(engines)('history route handlers on $name', (engine) => {
  let cleanup: () => Promise<void>;
  const saved = { VETHWATCH_DB: process.env.VETHWATCH_DB, DATABASE_URL: process.env.DATABASE_URL };
  const report = buildReport({ node: 'node-r', veths: 2, mismatched: 1, collectedAt: new Date(Date.now() - 60_000), hostDevices: [flannelDevice('aa:bb:cc:00:00:01')] });
  const ifname = report.veths[0].ifname;

  beforeAll(async () => {
    const s = await engine.setup();
    cleanup = s.cleanup;
    await closeStore();
    Object.assign(process.env, s.env);
    await ingestReport(await getStore(), report);
  });
  afterAll(async () => {
    await closeStore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await cleanup();
  });

  const req = (path: string) => new Request(`http://vethwatch.test${path}`);
  const params = <P>(p: P) => ({ params: Promise.resolve(p) });

  it('GET /api/v1/events', async () => {
    const res = await eventsGET(req('/api/v1/events?node=node-r'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as EventsResponse;
    expect(body.items.length).toBeGreaterThan(3);
    expect((await eventsGET(req('/api/v1/events?limit=abc'))).status).toBe(422);
  });

  it('GET /api/v1/nodes/{name}/veths/{ifname}/history', async () => {
    const body = (await (await vethGET(req('/x'), params({ name: 'node-r', ifname }))).json()) as VethHistoryResponse;
    expect(body.items.map((i) => i.kind)).toEqual(['appeared']);
    expect((await vethGET(req('/x'), params({ name: 'nobody', ifname }))).status).toBe(404);
  });

  it('GET /api/v1/nodes/{name}/host-devices and its /{ifname}/history', async () => {
    const list = (await (await hostDevicesGET(req('/x'), params({ name: 'node-r' }))).json()) as HostDevicesResponse;
    expect(list.devices.map((d) => [d.ifname, d.lastMacChange])).toEqual([['flannel.1', null]]);
    expect((await hostDevicesGET(req('/x'), params({ name: 'nobody' }))).status).toBe(404);
    const body = (await (await hostDeviceGET(req('/x'), params({ name: 'node-r', ifname: 'flannel.1' }))).json()) as HostDeviceHistoryResponse;
    expect(body.items.map((i) => [i.kind, i.macTo])).toEqual([['appeared', 'aa:bb:cc:00:00:01']]);
    expect((await hostDeviceGET(req('/x?format=csv'), params({ name: 'node-r', ifname: 'flannel.1' }))).headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await hostDeviceGET(req('/x?limit=abc'), params({ name: 'node-r', ifname: 'flannel.1' }))).status).toBe(422);
    expect((await hostDeviceGET(req('/x'), params({ name: 'nobody', ifname: 'flannel.1' }))).status).toBe(404);
  });

  it('GET /api/v1/nodes/{name}/arp-timeline', async () => {
    const body = (await (await arpGET(req('/x'), params({ name: 'node-r' }))).json()) as ArpTimelineResponse;
    expect(body.intervals.map((i) => [i.ifname, i.status])).toEqual([[ifname, 'ongoing']]);
  });

  it('GET /api/v1/nodes/{name}/link-files/history as CSV', async () => {
    const res = await linkFilesGET(req('/x?format=csv'), params({ name: 'node-r' }));
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await res.text()).split('\r\n').filter(Boolean)).toHaveLength(2);
    const json = (await (await linkFilesGET(req('/x'), params({ name: 'node-r' }))).json()) as LinkFileHistoryResponse;
    expect(json.files).toHaveLength(1);
  });
});
