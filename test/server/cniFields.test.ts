// Report v1's optional CNI fields over HTTP against the real server: a report from an older agent (none of them) and
// one from a new agent (all of them) are both accepted, and what the new agent sent comes back on the node API.
// The other direction (a new agent's report against an older server) is lib/report/compat.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import { sqliteTempFile } from '@/lib/store/testing';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const TOKEN = 'cni-fields-test-token-0123';

describe('optional CNI fields of report v1, over HTTP', () => {
  let server: ServerProcess;
  let tmp: ReturnType<typeof sqliteTempFile>;
  beforeAll(async () => {
    tmp = sqliteTempFile();
    server = await startServerProcess({ VETHWATCH_DB: tmp.file, VETHWATCH_AGENT_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });
  const post = (body: unknown) =>
    fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('accepts an older agent report without them', async () => {
    const old = buildReport({ node: 'old-agent', veths: 2 });
    expect(JSON.stringify(old)).not.toMatch(/hostDevices|machineIdHash|neighbours|overlay/);
    expect(Object.keys(old.cni)).toEqual(['vethPrefix', 'configFile']);
    expect((await post(old)).status).toBe(202);
  });

  it('accepts a new agent report with them and serves them back on the node', async () => {
    const r = buildReport({ node: 'new-agent', veths: 1 });
    const v = r.veths[0];
    const body = {
      ...r,
      cni: { ...r.cni, kind: 'flannel', version: null, pluginType: 'flannel' },
      veths: [{ ...v, neighbours: [{ ip: '169.254.1.1', lladdr: v.mac, state: ['PERMANENT'], matchesHost: true }] }],
      hostDevices: [{ ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac: '0a:58:0a:f4:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: '/usr/lib/systemd/network/99-default.link' }],
      overlay: { fdb: [{ mac: '0a:58:0a:f4:01:01', dst: '192.0.2.7', dev: 'flannel.1' }], neighbours: [] },
      machineIdHash: 'b'.repeat(64),
    };
    expect((await post(body)).status).toBe(202);
    const node = (await (await fetch(`${server.url}/api/v1/nodes/new-agent`)).json()) as { veths: Array<{ neighbours?: unknown }> };
    expect(node.veths[0].neighbours).toEqual([{ ip: '169.254.1.1', lladdr: v.mac, state: ['PERMANENT'], matchesHost: true }]);
  });

  it('refuses a malformed new field with 422 naming it', async () => {
    const r = buildReport({ node: 'bad-agent', veths: 1 });
    const res = await post({ ...r, machineIdHash: '/etc/machine-id contents' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { issues: Array<{ path: unknown[] }> };
    expect(body.issues.map((i) => i.path)).toEqual([['machineIdHash']]);
  });
});
