// /healthz, /readyz and the /metrics token on the real custom server (child process, API only). Readiness follows
// the store: PostgreSQL answering -> 200; its database gone -> 503 with the reason; liveness stays 200 throughout.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '@/lib/store/testing';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

describe('health and readiness on PostgreSQL', () => {
  let server: ServerProcess;
  let db: { url: string; drop(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    db = await createPgDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-health-'));
    server = await startServerProcess({ HOME: dir, DATABASE_URL: db.url, VETHWATCH_AGENT_TOKEN: 't0k', VETHWATCH_KUBE: '0' });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('/healthz and /readyz are 200 while the store answers', async () => {
    const live = await fetch(`${server.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      store: { ok: true, engine: 'postgres', migrations: 'done' },
      cluster: { configured: false },
    });
    expect((await fetch(`${server.url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz is 503 when the database is unreachable; /healthz stays 200', async () => {
    await db.drop(); // terminates the server's connections and removes the database
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; store: { ok: boolean; error: string } };
    expect(body.status).toBe('not-ready');
    expect(body.store.ok).toBe(false);
    expect(body.store.error).toMatch(/database "vw_test_[0-9a-f]+" does not exist|terminat/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('/metrics with VETHWATCH_METRICS_TOKEN', () => {
  let server: ServerProcess;
  let dir: string;
  const token = `m-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-metrics-'));
    server = await startServerProcess({
      HOME: dir,
      VETHWATCH_DB: path.join(dir, 'db.sqlite'),
      VETHWATCH_AGENT_TOKEN: 't0k',
      VETHWATCH_KUBE: '0',
      VETHWATCH_METRICS_TOKEN: token,
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a scrape without the token (401) or with another (401), and serves it with the token', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer t0k' } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).toContain('vethwatch_nodes{state="healthy"} 0');
    expect(text).toContain('# TYPE vethwatch_ingest_duration_seconds histogram');
    expect(text).toContain('vethwatch_process_cpu_seconds_total');
  });

  it('counts a refused report by reason even before any is accepted', async () => {
    const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: 'Bearer t0k' }, body: '{not json' });
    expect(res.status).toBe(400);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(text).toContain('vethwatch_reports_rejected_total{reason="bad_json"} 1');
    expect(text).toContain('vethwatch_ingest_duration_seconds_count{result="rejected"} 1');
  });
});
