import type { FleetView, NodeDetail } from '../lib/nodes/types';
import { expect, test } from './support/fixtures';
import { fleetRow, fleetTable, summaryTile } from './support/locators';
import { brokenReport, healthyReport } from './support/reports';
import type { Api } from './support/api';

/** What the read API says, minus the parts that move with the clock. */
async function snapshot(api: Api, node: string) {
  const strip = <T extends { reportAgeSeconds: number | null; state: string; stateReason: string }>(n: T) => {
    const { reportAgeSeconds: _age, ...rest } = n;
    return rest;
  };
  const fleet: FleetView = await api.fleet();
  const detail = (await api.node(node)) as NodeDetail;
  return {
    counts: fleet.counts,
    nodes: fleet.nodes.map(strip),
    detail: strip(detail),
  };
}

test('bad reports are rejected with the right status and change nothing', async ({ page, api, vethwatch }) => {
  const good = healthyReport('node-steady', { intervalSeconds: 3600 });
  await api.accept(good);
  const before = await snapshot(api, 'node-steady');
  expect(before.nodes).toHaveLength(1);

  // Each bad report would, if accepted, turn node-steady broken or add node-intruder.
  const wouldBreak = brokenReport('node-steady', 2, { intervalSeconds: 3600 });
  const intruder = brokenReport('node-intruder');

  await test.step('no token: 401', async () => {
    const answer = await api.postReport(wouldBreak, { token: null });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: expect.any(String) });
  });

  await test.step('wrong token: 401', async () => {
    const answer = await api.postReport(intruder, { token: `${vethwatch.token}x` });
    expect(answer.status).toBe(401);
  });

  await test.step('not JSON: 400', async () => {
    const answer = await api.postReport('{"version": 1, "node": "node-intruder",');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: expect.any(String) });
  });

  await test.step('valid JSON that breaks the schema: 422 with the issues', async () => {
    const bad = structuredClone(wouldBreak) as unknown as { veths: Array<{ mac: string }> };
    bad.veths[0].mac = 'ZZ:not:a:mac';
    const answer = await api.postReport(bad);
    expect(answer.status).toBe(422);
    const body = answer.body as { error: string; issues: Array<{ path: (string | number)[]; message: string }> };
    expect(body.issues.length).toBeGreaterThan(0);
    expect(body.issues.map((i) => i.path.join('.'))).toContain('veths.0.mac');

    const noNode = { ...structuredClone(intruder), node: '' };
    const answer2 = await api.postReport(noNode);
    expect(answer2.status).toBe(422);
  });

  await test.step('more than 2 MiB: 413', async () => {
    const huge = { ...structuredClone(intruder), padding: 'x'.repeat(2 * 1024 * 1024) };
    const answer = await api.postReport(huge);
    expect(answer.status).toBe(413);
  });

  const after = await snapshot(api, 'node-steady');
  expect(after).toEqual(before);
  expect(await api.node('node-intruder')).toBe(404);

  await page.goto('/');
  await expect(fleetTable(page).getByRole('rowheader')).toHaveText(['node-steady']);
  await expect(fleetRow(page, 'node-steady').getByText('Healthy', { exact: true })).toBeVisible();
  await expect(summaryTile(page, 'Broken')).toHaveText('0 Broken');
  const intruderPage = await page.goto('/nodes/node-intruder');
  expect(intruderPage?.status()).toBe(404);
});
