// The real server over HTTP: a report dated two days ahead of the server clock is refused (422, naming the skew)
// and stores nothing; the node's genuine report after it takes effect. VETHWATCH_MAX_CLOCK_SKEW_SECONDS is honoured.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { sqliteTempFile } from '@/lib/store/testing';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const TOKEN = 'clock-skew-test-token-0123';
const SKEW = 600;

describe('reports dated ahead of the server clock, over HTTP', () => {
  let server: ServerProcess;
  let tmp: ReturnType<typeof sqliteTempFile>;

  beforeAll(async () => {
    tmp = sqliteTempFile();
    server = await startServerProcess({ VETHWATCH_DB: tmp.file, VETHWATCH_AGENT_TOKEN: TOKEN, VETHWATCH_MAX_CLOCK_SKEW_SECONDS: String(SKEW) });
  });
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });

  const post = (report: Report) =>
    fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(report),
    });
  const nodeRow = (name: string) => {
    const db = new Database(tmp.file, { readonly: true });
    try {
      return db.prepare('select last_report_id, veth_count from nodes where name = ?').get(name) as { last_report_id: string; veth_count: number } | undefined;
    } finally {
      db.close();
    }
  };
  const ahead = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('refuses a report two days ahead with 422 and stores nothing; the genuine report after it is applied', async () => {
    const future = buildReport({ node: 'skewed-node', veths: 5, collectedAt: ahead(2 * 86400) });
    const refused = await post(future);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: string; issues: Array<{ path: unknown[] }> };
    expect(body.error).toMatch(/collectedAt is 1728\d\d s ahead of the server clock/);
    expect(body.error).toContain(`at most ${SKEW} s`);
    expect(body.issues[0].path).toEqual(['collectedAt']);
    expect(nodeRow('skewed-node')).toBeUndefined();

    const genuine = buildReport({ node: 'skewed-node', veths: 2 });
    const accepted = await post(genuine);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ outcome: 'changed' });
    expect(nodeRow('skewed-node')).toEqual({ last_report_id: genuine.reportId, veth_count: 2 });
  });

  it('accepts a clock ahead by less than the configured skew', async () => {
    const res = await post(buildReport({ node: 'slightly-fast', collectedAt: ahead(SKEW / 2) }));
    expect(res.status).toBe(202);
    expect(nodeRow('slightly-fast')).toBeDefined();
  });
});
