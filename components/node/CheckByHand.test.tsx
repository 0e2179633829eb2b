// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import { CheckByHand } from './CheckByHand';

afterEach(() => cleanup());

describe('CheckByHand', () => {
  it("shows the broken pod's commands first and open, copyable as is", () => {
    const r = buildReport({ node: 'node-7', veths: 2, mismatched: 1, policy: 'persistent' });
    const broken = r.veths.find((v) => v.arpStatus === 'mismatch')!;
    broken.netns = 'cni-77';
    render(<CheckByHand node={{ name: r.node, veths: r.veths, newVeth: r.linkPolicy.newVeth, linkFiles: r.linkPolicy.files }} />);
    const list = screen.getByLabelText(`Commands for ${broken.ifname}`);
    const commands = within(list)
      .getAllByRole('code' as never)
      .map((e) => e.textContent);
    expect(commands).toContain('ip netns exec cni-77 ip neigh show 169.254.1.1');
    expect(commands).toContain(`cat /sys/class/net/${broken.ifname}/addr_assign_type`);
    expect(screen.getByText('systemd-analyze cat-config systemd/network/99-default.link')).toBeTruthy();
    expect(list.closest('details')!.open).toBe(true);
  });
});
