// @vitest-environment happy-dom
// The prevent page's parts as a person sees them: the snippet recommended for the node's OS comes first and open,
// Copy puts exactly that snippet on the clipboard, ?os= changes the pick, and the node page's section shows how
// the node was provisioned and its last verification, linking to the page with the node preselected. The
// provenance and verification come from the real read model over a SQLite store.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { getNodeFrom } from '@/lib/nodes/read';
import { readPreventionFleet } from '@/lib/prevention/provenanceRead';
import { PREVENTION_PATH, buildSnippet } from '@/lib/prevention/snippets';
import { verificationDoc } from '@/lib/prevention/testSupport/docs';
import { preventView } from '@/lib/prevention/view';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { NodePreventionSection } from './NodePreventionSection';
import { PreventionPanel } from './PreventionPanel';
import { ProvenanceTable } from './ProvenanceTable';

const sqlite = testEngines.find((e) => e.name === 'sqlite')!;
let t: TestStore;

beforeAll(async () => {
  t = await sqlite.open();
  const send = (r: ReturnType<typeof buildReport>) => ingestReport(t.store, r, { receivedAt: new Date(r.collectedAt), maxClockSkewSeconds: Infinity });
  const base = buildReport({ node: 'ip-10-0-1-5.ec2.internal', policy: 'none', collectedAt: '2026-01-01T00:00:00.000Z', os: { prettyName: 'Amazon Linux 2023.6.20241010', kernel: null, systemdVersion: 252 } });
  const files = base.linkPolicy.files.map((f) => (f.kind === 'dropin' ? { ...f, path: PREVENTION_PATH } : f));
  await send({ ...base, linkPolicy: { ...base.linkPolicy, files, newVeth: { ...base.linkPolicy.newVeth, dropIns: [PREVENTION_PATH] } } });
  await send(buildReport({ node: 'worker-1', collectedAt: '2026-01-01T00:00:00.000Z' }));
  await t.store.prevention.recordVerification(verificationDoc('ip-10-0-1-5.ec2.internal', [true, true, true]), '2026-01-01T01:00:00.000Z');
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => cleanup());

describe('Prevent on new nodes', () => {
  it('puts the nodeadm launch template first and open for an Amazon Linux 2023 node, and copies it exactly', async () => {
    const writes: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (s: string) => void writes.push(s) } });
    render(<PreventionPanel view={preventView({ node: { name: 'ip-10-0-1-5.ec2.internal', osPrettyName: 'Amazon Linux 2023.6.20241010' } })} />);
    const groups = screen.getAllByRole('group');
    expect(groups.map((g) => g.getAttribute('data-kind'))).toEqual(['eks-al2023-nodeadm', 'eks-bootstrap-sh', 'karpenter', 'cloud-init', 'ansible', 'kops', 'shell']);
    expect((groups[0] as HTMLDetailsElement).open).toBe(true);
    expect((groups[1] as HTMLDetailsElement).open).toBe(false);
    expect(within(groups[0]).getByText('Recommended')).toBeTruthy();
    expect(screen.getByText(/For node/).textContent).toContain('ip-10-0-1-5.ec2.internal');

    fireEvent.click(within(groups[0]).getByRole('button', { name: /Copy EKS on Amazon Linux 2023/ }));
    expect(await within(groups[0]).findByText('Copied')).toBeTruthy();
    expect(writes).toEqual([buildSnippet('eks-al2023-nodeadm').text]);
    expect(within(groups[0]).getByLabelText(/snippet$/).textContent).toBe(buildSnippet('eks-al2023-nodeadm').text);
  });

  it('says so when the clipboard refuses', async () => {
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async () => Promise.reject(new Error('denied')) } });
    render(<PreventionPanel view={preventView({ os: 'debian' })} />);
    const first = screen.getAllByRole('group')[0];
    expect(first.getAttribute('data-kind')).toBe('cloud-init');
    fireEvent.click(within(first).getByRole('button', { name: /Copy/ }));
    expect(await within(first).findByText(/Copy failed/)).toBeTruthy();
  });

  it('lists which nodes came up protected and which did not', async () => {
    render(<ProvenanceTable rows={await readPreventionFleet(t.store)} />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => [within(r).getByRole('rowheader').textContent, r.textContent?.includes('Protected from first boot'), r.textContent?.includes('Not protected')])).toEqual([
      ['ip-10-0-1-5.ec2.internal', true, false],
      ['worker-1', false, true],
    ]);
  });

  it('the node page section shows provisioning and the last verification, linking to the page with the node preselected', async () => {
    const node = await getNodeFrom(t.store, 'ip-10-0-1-5.ec2.internal', new Date('2026-01-01T01:00:10.000Z'), null);
    render(<NodePreventionSection name={node!.name} prevention={node!.prevention} />);
    const facts = screen.getByLabelText('Prevention facts');
    expect(facts.textContent).toContain('Protected from first boot');
    expect(facts.textContent).toContain('MACs kept');
    expect(facts.textContent).toContain('3 of 3 probe veths kept their MAC');
    expect(screen.getByRole('link', { name: /Prevent this on new nodes/ }).getAttribute('href')).toBe('/prevent?node=ip-10-0-1-5.ec2.internal');
  });
});
