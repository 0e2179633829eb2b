// @vitest-environment happy-dom
// A broken node's findings are never "nothing worth mentioning": each stale or unreadable gateway ARP entry and
// udev's verdict for new veths are listed, with the agent's own findings.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFindings } from '@/lib/nodes/findings';
import { buildReport } from '@/lib/report/fixtures';
import { FindingsList } from './FindingsList';

afterEach(() => cleanup());

describe('FindingsList', () => {
  it('lists what a broken node rests on even when the agent reported no findings', () => {
    const r = buildReport({ node: 'n', veths: 3, mismatched: 1, policy: 'persistent' });
    r.veths[2].arpStatus = 'unknown';
    const node = { veths: r.veths, newVeth: r.linkPolicy.newVeth, linkFiles: r.linkPolicy.files, findings: [] };
    render(<FindingsList findings={nodeFindings(node)} />);
    expect(screen.queryByText(/nothing worth mentioning/)).toBeNull();
    const broken = r.veths.find((v) => v.arpStatus === 'mismatch')!;
    expect(screen.getByText(new RegExp(`pod ${broken.pod!.namespace}/${broken.pod!.name}.*points at`))).toBeTruthy();
    expect(screen.getByText(/could not be read/)).toBeTruthy();
    expect(screen.getByText(/udev would rewrite the MAC of new veths \(MACAddressPolicy=persistent from /)).toBeTruthy();
    expect(screen.getByText('3')).toBeTruthy();
  });

  it('says nothing is worth mentioning only for a healthy node with no agent findings', () => {
    const r = buildReport({ node: 'n', veths: 2, policy: 'none' });
    render(<FindingsList findings={nodeFindings({ veths: r.veths, newVeth: r.linkPolicy.newVeth, linkFiles: r.linkPolicy.files, findings: [] })} />);
    expect(screen.getByText(/nothing worth mentioning/)).toBeTruthy();
  });
});
