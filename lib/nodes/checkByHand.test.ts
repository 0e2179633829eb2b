import { describe, expect, it } from 'vitest';
import { buildReport } from '../report/fixtures';
import { checkByHand, MAX_VETHS, shellQuote } from './checkByHand';

function nodeOf(r: ReturnType<typeof buildReport>) {
  return { name: r.node, veths: r.veths, newVeth: r.linkPolicy.newVeth, linkFiles: r.linkPolicy.files };
}

describe('checkByHand', () => {
  it('builds the exact commands for each pod, the broken one first', () => {
    const r = buildReport({ node: 'n', veths: 3, mismatched: 1, policy: 'persistent' });
    r.veths[0].netns = 'cni-1234';
    const broken = r.veths.find((v) => v.arpStatus === 'mismatch')!;
    broken.netns = 'cni-abcd';
    const c = checkByHand(nodeOf(r));
    expect(c.veths[0].ifname).toBe(broken.ifname);
    expect(c.veths[0].checks.map((k) => k.command)).toEqual([
      'ip netns exec cni-abcd ip neigh show 169.254.1.1',
      `ip -d link show ${broken.ifname}`,
      `cat /sys/class/net/${broken.ifname}/addr_assign_type`,
      `udevadm info /sys/class/net/${broken.ifname}`,
    ]);
    expect(c.veths[0].checks[0].expect).toContain(`NOT the host veth's ${broken.mac}`);
    // Under a rewriting policy net_setup_link would re-MAC the veth: never offered there.
    expect(c.veths.flatMap((v) => v.checks).some((k) => k.command.includes('test-builtin'))).toBe(false);
    expect(c.policy.map((k) => k.command)).toEqual(['systemd-analyze cat-config systemd/network/99-default.link']);
    expect(c.veths.flatMap((v) => v.checks).every((k) => k.readOnly)).toBe(true);
  });

  it('offers udevadm test-builtin where the policy leaves veths alone, and says that it applies the policy', () => {
    const r = buildReport({ node: 'n', veths: 1, policy: 'none' });
    r.veths[0].netns = 'cni-1';
    const [v] = checkByHand(nodeOf(r)).veths;
    const udev = v.checks.at(-1)!;
    expect(udev.command).toBe(`udevadm test-builtin net_setup_link /sys/class/net/${r.veths[0].ifname}`);
    expect(udev.readOnly).toBe(false);
    expect(udev.expect).toMatch(/^Applies the link policy to this veth; on a healthy node it changes nothing/);
  });

  it('quotes hostile names from reports and bounds the list', () => {
    expect(shellQuote("a'b; rm -rf /")).toBe(`'a'\\''b; rm -rf /'`);
    expect(shellQuote('')).toBe("''");
    const r = buildReport({ node: 'n', veths: MAX_VETHS + 3 });
    r.veths[0].netns = '$(reboot)';
    const c = checkByHand(nodeOf(r));
    expect(c.veths).toHaveLength(MAX_VETHS);
    expect(c.omitted).toBe(3);
    expect(c.veths.flatMap((v) => v.checks).map((k) => k.command)).toContain("ip netns exec '$(reboot)' ip neigh show 169.254.1.1");
  });
});
