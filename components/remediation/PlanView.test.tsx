// @vitest-environment happy-dom
// The remediation plan as an operator sees it before approving it. The plans are the agent's own (buildPlan on a
// fixture report, as the server builds previews): one that writes the drop-in and repairs pods by both methods, and
// one with nothing to do; the Kubernetes variant shows the Job and a refused dry run.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '@/lib/remediation/plan';
import type { PlanPreview } from '@/lib/remediation/types';
import { buildReport } from '@/lib/report/fixtures';
import { PlanView } from './PlanView';

afterEach(() => cleanup());

const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';

function preview(plan: PlanPreview['plan'], over: Partial<PlanPreview> = {}): PlanPreview {
  return {
    remediationId: 'r-1',
    node: plan.node,
    planId: plan.id,
    reportId: 'rep-1',
    reportReceivedAt: '2026-11-26T12:00:00.000Z',
    createdAt: '2026-11-26T12:00:01.000Z',
    expiresAt: '2026-11-26T12:15:01.000Z',
    executor: 'local',
    executorDetail: 'the agent on this host (node-1)',
    plan,
    nothingToDo: plan.repairs.length === 0 && plan.dropIn.action === 'keep',
    job: null,
    jobDryRun: null,
    command: ['node', 'agent/cli.ts', 'remediate', '--plan-id', plan.id],
    blockers: [],
    ...over,
  };
}

/** A broken node: three pods, two mismatched, one of whose old MACs another interface holds. */
function brokenPlan() {
  const report = buildReport({ node: 'node-1', veths: 3, mismatched: 2 });
  const broken = report.veths.filter((v) => v.arpStatus === 'mismatch').sort((a, b) => (a.ifname < b.ifname ? -1 : 1));
  const plan = buildPlan({
    report,
    dropInPath: DROP_IN,
    existingDropIn: null,
    hostLinks: [...report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })), { ifname: 'spare0', mac: broken[1].gatewayLladdr! }],
    udevd: { running: true, detail: 'udevd answered a ping' },
    now: '2026-11-26T12:00:00.000Z',
  });
  return { report, broken, plan };
}

describe('PlanView', () => {
  it('shows who runs it and the exact command', () => {
    const { plan } = brokenPlan();
    render(<PlanView preview={preview(plan)} />);
    const runsOn = screen.getByRole('region', { name: 'Runs on' });
    expect(within(runsOn).getByText('this host (local agent)')).toBeTruthy();
    expect(within(runsOn).getByText(`node agent/cli.ts remediate --plan-id ${plan.id}`)).toBeTruthy();
  });

  it('shows the drop-in it writes, with its content, and that udev is reloaded', () => {
    const { plan } = brokenPlan();
    render(<PlanView preview={preview(plan)} />);
    const file = screen.getByRole('region', { name: 'Link file' });
    expect(file.textContent).toContain(`Writes ${DROP_IN}`);
    expect(within(file).getByLabelText(`Content of ${DROP_IN}`).textContent).toContain('MACAddressPolicy=none');
    expect(file.textContent).toMatch(/udev reload: yes/);
  });

  it('lists each pod to repair with its veth, the MAC change and the method', () => {
    const { plan, broken } = brokenPlan();
    render(<PlanView preview={preview(plan)} />);
    const table = screen.getByRole('table', { name: 'Pods to repair (2)' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const byVeth = (ifname: string) => rows.find((r) => within(r).queryByText(ifname)) as HTMLElement;
    const mac = within(byVeth(broken[0].ifname));
    expect(mac.getByRole('rowheader').textContent).toBe(`${broken[0].pod!.namespace}/${broken[0].pod!.name}`);
    expect(mac.getByText(`${broken[0].mac} → ${broken[0].gatewayLladdr}`)).toBeTruthy();
    expect(mac.getByText('set-host-mac')).toBeTruthy();
    const neigh = within(byVeth(broken[1].ifname));
    expect(neigh.getByText('neigh-replace')).toBeTruthy();
    expect(neigh.getByText(/already used by spare0/)).toBeTruthy();
  });

  it('says which pods it leaves alone and why', () => {
    const { plan, report } = brokenPlan();
    const healthy = report.veths.find((v) => v.arpStatus === 'ok')!;
    render(<PlanView preview={preview(plan)} />);
    const left = screen.getByRole('region', { name: 'Left alone (1)' });
    expect(left.textContent).toContain(healthy.ifname);
    expect(left.textContent).toMatch(/healthy/);
  });

  it('a node with nothing to do: keeps the file, no reload, no pod to repair', () => {
    const report = buildReport({ node: 'node-2', veths: 2, policy: 'none' });
    const plan = buildPlan({ report, dropInPath: DROP_IN, existingDropIn: null, hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })), udevd: { running: true, detail: 'ok' }, now: '2026-11-26T12:00:00.000Z' });
    render(<PlanView preview={preview(plan)} />);
    const file = screen.getByRole('region', { name: 'Link file' });
    expect(file.textContent).toContain(`Keeps ${DROP_IN}`);
    expect(within(file).queryByLabelText(`Content of ${DROP_IN}`)).toBeNull();
    expect(file.textContent).toMatch(/udev reload: no/);
    expect(screen.getByRole('heading', { name: 'Pods to repair (0)' })).toBeTruthy();
    expect(screen.getByText('No pod has the wrong gateway MAC.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'By hand, the same steps' })).toBeNull();
  });

  it("shows each step's shell equivalent: the drop-in with its path and content, the reload, each repair", () => {
    const { plan } = brokenPlan();
    render(<PlanView preview={preview(plan)} />);
    const region = screen.getByRole('region', { name: 'By hand, the same steps' });
    const text = region.textContent ?? '';
    expect(text).toContain(`cat > ${DROP_IN} <<'EOF'`);
    expect(text).toContain('MACAddressPolicy=none');
    expect(text).toContain('udevadm control --reload');
    const setMac = plan.repairs.find((r) => r.method === 'set-host-mac')!;
    expect(text).toContain(`ip link set dev ${setMac.hostIfname} address ${setMac.to}`);
  });

  it('the Kubernetes executor: the Job, its key facts, and a loud alert when the API refused it in a dry run', () => {
    const { plan } = brokenPlan();
    const job = {
      name: 'vethwatch-remediate-abc',
      namespace: 'vethwatch',
      spec: { spec: { template: { spec: { nodeName: 'node-1', hostNetwork: true, containers: [{ image: 'vethwatch/agent:1', command: ['vethwatch-agent'], args: ['remediate'], securityContext: { privileged: true } }] } } } },
    };
    render(
      <PlanView
        preview={preview(plan, { executor: 'kubernetes', command: null, job, jobDryRun: { ok: false, reason: 'Forbidden', message: 'jobs.batch is forbidden' } })}
      />,
    );
    expect(screen.getByText('Kubernetes Job on node node-1')).toBeTruthy();
    expect(screen.getByText('vethwatch/vethwatch-remediate-abc')).toBeTruthy();
    expect(screen.getByText('vethwatch-agent remediate')).toBeTruthy();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('The Kubernetes API refused the Job in a dry run (Forbidden): jobs.batch is forbidden');
  });
});
