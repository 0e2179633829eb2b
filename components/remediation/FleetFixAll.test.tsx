// @vitest-environment happy-dom
// "Fix all at-risk nodes" as an operator sees it: the nodes it can fix come first, each with a tick to leave it
// out; the ones it will skip are grouped under their one reason; it says whether broken and stale nodes are in;
// Confirm sends only the ticked nodes. While paused, the disabled button says why (fleet-wide).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildPlan } from '@/lib/remediation/plan';
import type { FleetView, NodeState } from '@/lib/nodes/types';
import { fleetQuery } from '@/lib/queries/options';
import { meQuery, settingsQuery } from '@/lib/queries/remediation';
import { CSRF_HEADER, CSRF_VALUE, type FleetPreview, type MeResponse, type PlanPreview, type RemediationSettings } from '@/lib/remediation/types';
import { buildReport } from '@/lib/report/fixtures';
import { FleetFixAll } from './FleetFixAll';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const operator: MeResponse = {
  user: 'alice',
  groups: [],
  role: 'operator',
  via: 'session',
  canRemediate: true,
  executor: 'kubernetes',
  executorDetail: 'Kubernetes Jobs in namespace vethwatch',
  localNode: null,
  sessionLogin: true,
  operatorsConfigured: true,
  csrf: { header: CSRF_HEADER, value: CSRF_VALUE },
};
const settings = (paused: boolean): RemediationSettings => ({
  paused,
  pauseReason: paused ? 'change freeze' : null,
  pausedBy: paused ? 'bob' : null,
  pausedAt: paused ? '2026-11-26T12:00:00.000Z' : null,
  maxConcurrent: 1,
  active: 0,
  updatedAt: '2026-11-26T12:00:00.000Z',
});

function preview(node: string): PlanPreview {
  const report = buildReport({ node, veths: 2, mismatched: 1 });
  const plan = buildPlan({
    report,
    dropInPath: '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf',
    existingDropIn: null,
    hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
    udevd: { running: true, detail: 'udevd answered a ping' },
    now: '2026-11-26T12:00:00.000Z',
  });
  return {
    remediationId: `r-${node}`,
    node,
    planId: plan.id,
    reportId: 'rep-1',
    reportReceivedAt: '2026-11-26T12:00:00.000Z',
    createdAt: '2026-11-26T12:00:01.000Z',
    expiresAt: '2026-11-26T12:15:01.000Z',
    executor: 'kubernetes',
    executorDetail: 'Kubernetes Jobs in namespace vethwatch',
    plan,
    nothingToDo: false,
    job: null,
    jobDryRun: null,
    command: ['node', 'agent/cli.ts', 'remediate', '--plan-id', plan.id],
    blockers: [],
  };
}

const states: Record<string, NodeState> = { 'n-skip-1': 'at-risk', 'n-broken': 'broken', 'n-skip-2': 'at-risk', 'n-stale': 'stale', 'n-skip-3': 'broken' };
const fleet = { generatedAt: '2026-11-26T12:00:00.000Z', counts: {}, nodes: Object.entries(states).map(([name, state]) => ({ name, state })) } as unknown as FleetView;

function show(paused = false) {
  const fixable = { broken: preview('n-broken'), stale: preview('n-stale') };
  const fleetPreview: FleetPreview = {
    cap: 1,
    waves: [['n-broken'], ['n-stale']],
    blockers: [],
    nodes: [
      // The server's order puts a skipped node first: the dialog must not.
      { node: 'n-skip-1', preview: null, skipped: 'the node has not reported since the plan was made' },
      { node: 'n-broken', preview: fixable.broken, skipped: null },
      { node: 'n-skip-2', preview: null, skipped: 'the node has not reported since the plan was made' },
      { node: 'n-stale', preview: fixable.stale, skipped: null },
      { node: 'n-skip-3', preview: { ...preview('n-skip-3'), nothingToDo: true }, skipped: 'the plan changes nothing' },
    ],
  };
  const posted: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as { dryRun?: boolean };
      posted.push(body);
      if (body.dryRun) return Response.json(fleetPreview);
      return Response.json({ id: 'run-1', status: 'running', requestedBy: 'alice', cap: 1, createdAt: '', finishedAt: null, stoppedReason: null, currentWave: 0, nodes: [] }, { status: 202 });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(meQuery().queryKey, operator);
  client.setQueryData(settingsQuery().queryKey, settings(paused));
  client.setQueryData(fleetQuery().queryKey, fleet);
  render(
    <QueryClientProvider client={client}>
      <FleetFixAll />
    </QueryClientProvider>,
  );
  return { posted, fixable };
}

describe('FleetFixAll', () => {
  it('offers the fixable nodes first with ticks, groups the skipped by reason, says broken and stale are in, sends only the ticked', async () => {
    const { posted, fixable } = show();
    act(() => screen.getByRole('button', { name: 'Fix all at-risk nodes' }).click());
    const dialog = await screen.findByRole('dialog', { name: 'Fix all at-risk nodes' });
    const table = await within(dialog).findByRole('table', { name: 'Nodes to fix' });
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['n-broken', 'n-stale']);
    expect(dialog.textContent).toContain('Includes 1 broken node (pods already cut off), 0 at-risk nodes (new pods would break) and 1 stale node.');
    expect(dialog.textContent).toContain('its plan comes from its last report');
    const skips = within(dialog).getByRole('region', { name: 'Nodes it will skip' });
    expect([...skips.querySelectorAll('summary')].map((s) => s.textContent)).toEqual([
      'Skipping 2 nodes: the node has not reported since the plan was made',
      'Skipping 1 node: the plan changes nothing',
    ]);
    expect(within(dialog).getByRole('button', { name: 'Confirm: fix 2 nodes' })).toBeTruthy();

    fireEvent.click(within(table).getByRole('checkbox', { name: 'n-stale' }));
    const confirm = within(dialog).getByRole('button', { name: 'Confirm: fix 1 node' });
    act(() => confirm.click());
    await waitFor(() => expect(posted).toHaveLength(2));
    expect(posted[1]).toEqual({ plans: [{ node: 'n-broken', planId: fixable.broken.planId }] });
  });

  it('with every node unticked, Confirm is disabled and says why', async () => {
    show();
    act(() => screen.getByRole('button', { name: 'Fix all at-risk nodes' }).click());
    const table = await screen.findByRole('table', { name: 'Nodes to fix' });
    for (const box of within(table).getAllByRole('checkbox')) fireEvent.click(box);
    const confirm = screen.getByRole('button', { name: 'Confirm' });
    expect(confirm).toHaveProperty('disabled', true);
    expect(document.getElementById(confirm.getAttribute('aria-describedby')!)?.textContent).toBe('No node is ticked.');
  });

  it('while paused, the button is disabled and says remediation is paused fleet-wide', () => {
    show(true);
    const button = screen.getByRole('button', { name: 'Fix all at-risk nodes' });
    expect(button).toHaveProperty('disabled', true);
    expect(document.getElementById(button.getAttribute('aria-describedby')!)?.textContent).toContain('paused fleet-wide');
    expect(screen.getByRole('status').textContent).toContain('Remediation is paused fleet-wide');
  });
});
