// Report v1 grew optional fields without a version bump (CNI kind, static neighbours, host devices, overlay,
// machine ID hash). Both directions must keep working: an old agent's report against the new schema, and a new
// agent's report against the schema old servers (and old agents' own pre-send check) still run, frozen in compat/.
import { describe, expect, it } from 'vitest';
import { buildReport } from './fixtures';
import { reportSchema as oldSchema } from './compat/v1-before-cni';
import { reportSchema } from './schema';

function newAgentReport() {
  const r = buildReport({ veths: 2 });
  return {
    ...r,
    cni: { ...r.cni, kind: 'flannel', version: null, pluginType: 'flannel' },
    veths: r.veths.map((v) => ({ ...v, neighbours: [{ ip: '169.254.1.1', lladdr: v.mac, state: ['PERMANENT'], matchesHost: true }] })),
    hostDevices: [{ ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac: '0a:58:0a:f4:00:01', addrAssignType: 3, udevRewritesMac: false, linkFile: null }],
    overlay: { fdb: [{ mac: '0a:58:0a:f4:01:01', dst: '192.0.2.7', dev: 'flannel.1' }], neighbours: [{ ip: '10.244.1.0', lladdr: '0a:58:0a:f4:01:01', dev: 'flannel.1', state: ['PERMANENT'] }] },
    machineIdHash: 'a'.repeat(64),
  };
}

describe('report v1 with and without the CNI additions', () => {
  it('a new server accepts an old agent report, the new fields simply absent', () => {
    const old = oldSchema.parse(buildReport({ veths: 2 }));
    const parsed = reportSchema.parse(JSON.parse(JSON.stringify(old)));
    expect(parsed.cni.kind).toBeUndefined();
    expect(parsed.hostDevices).toBeUndefined();
    expect(parsed.overlay).toBeUndefined();
    expect(parsed.machineIdHash).toBeUndefined();
    expect(parsed.veths[0].neighbours).toBeUndefined();
  });

  it('an old server accepts a new agent report and drops what it does not know', () => {
    const body = JSON.parse(JSON.stringify(newAgentReport()));
    expect(reportSchema.parse(body).hostDevices?.[0].ifname).toBe('flannel.1');
    const seenByOld = oldSchema.parse(body) as Record<string, unknown>;
    expect(seenByOld.hostDevices).toBeUndefined();
    expect(seenByOld.machineIdHash).toBeUndefined();
    expect((seenByOld.cni as Record<string, unknown>).kind).toBeUndefined();
    expect((seenByOld.veths as Record<string, unknown>[])[0].neighbours).toBeUndefined();
  });

  it('validates the new fields when they are there', () => {
    const bad = newAgentReport();
    bad.machineIdHash = 'not-a-hash';
    bad.cni = { ...bad.cni, kind: 'weave' };
    const parsed = reportSchema.safeParse(bad);
    expect(new Set(parsed.error?.issues.map((i) => i.path.join('.')))).toEqual(new Set(['machineIdHash', 'cni.kind']));
  });
});
