import { describe, expect, it } from 'vitest';
import { formatHwAddr, parseHwAddr } from './hwaddr';
import { emptySettings } from './keys';
import { decideMac, persistentMac, type MacContext } from './macPolicy';
import { newVethFacts } from './deviceFacts';
import type { DeviceFacts, LinkSettings } from './types';

const ctx: MacContext = { systemdVersion: 252, machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4', stableVirtualMacs: true };
const veth = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({ ...newVethFacts('eni'), ...over });
const settings = (policy: LinkSettings['macAddressPolicy'], mac?: string): LinkSettings => ({
  ...emptySettings(),
  macAddressPolicy: policy,
  macAddress: mac ? parseHwAddr(mac) : null,
});

describe('persistentMac', () => {
  it('reproduces MACs real udev 252 applied on this project\'s test host', () => {
    // `udevadm test-builtin net_setup_link` printed "Applying persistent MAC address: ..." for these names.
    expect(formatHwAddr(persistentMac(ctx.machineId!, 'eni4a41fb26b7f'))).toBe('8e:77:8c:33:be:4e');
    expect(formatHwAddr(persistentMac(ctx.machineId!, 'enidb8b2c64ec7'))).toBe('f2:ed:af:57:1d:97');
  });
});

describe('decideMac (systemd 252)', () => {
  it('persistent rewrites a kernel-random MAC (aat 1) and names the new MAC', () => {
    const d = decideMac(settings('persistent'), veth({ ifname: 'eni4a41fb26b7f', mac: '5a:e8:b6:23:10:10' }), ctx);
    expect(d).toMatchObject({ rewrites: true, newMac: '8e:77:8c:33:be:4e', policy: 'persistent' });
  });

  it('persistent leaves aat 0 (permanent), 2 (stolen), 3 (set by userspace) alone; unreadable aat counts as 0', () => {
    for (const aat of [0, 2, 3, null]) expect(decideMac(settings('persistent'), veth({ addrAssignType: aat }), ctx).rewrites, `aat ${aat}`).toBe(false);
    expect(decideMac(settings('persistent'), veth({ addrAssignType: 3 }), ctx).reason).toBe('MAC address on the device already set by userspace.');
  });

  it('random rewrites only a non-random MAC', () => {
    expect(decideMac(settings('random'), veth({ addrAssignType: 1 }), ctx).rewrites).toBe(false);
    expect(decideMac(settings('random'), veth({ addrAssignType: 0 }), ctx)).toMatchObject({ rewrites: true, newMac: null });
  });

  it('none, unset or empty policy keeps the MAC unless MACAddress= is set; a static MAC applies even at aat 3', () => {
    expect(decideMac(settings(null), veth(), ctx)).toMatchObject({ rewrites: false, policy: 'none' });
    expect(decideMac(settings('none'), veth(), ctx).reason).toMatch(/^Using static MAC address\./);
    expect(decideMac(settings('none', '02:11:22:33:44:55'), veth({ addrAssignType: 3 }), ctx)).toMatchObject({ rewrites: true, newMac: '02:11:22:33:44:55' });
  });

  it('verifies a static MAC: clears multicast, refuses null, broadcast and wrong lengths, skips an equal MAC', () => {
    expect(decideMac(settings('none', '03:11:22:33:44:55'), veth(), ctx).newMac).toBe('02:11:22:33:44:55');
    for (const bad of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '10.0.0.1']) expect(decideMac(settings('none', bad), veth(), ctx).rewrites, bad).toBe(false);
    const v = veth();
    expect(decideMac(settings('none', v.mac), v, ctx).rewrites).toBe(false);
  });

  it('persistent needs a machine ID and (for veths) a naming scheme that hashes interface names', () => {
    expect(decideMac(settings('persistent'), veth(), { ...ctx, machineId: null }).rewrites).toBe(false);
    expect(decideMac(settings('persistent'), veth(), { ...ctx, stableVirtualMacs: false }).rewrites).toBe(false);
    // A device with ID_NET_NAME_PATH hashes that name instead, scheme or not.
    const d = decideMac(settings('persistent'), veth({ properties: { ID_NET_NAME_PATH: 'enp0s5' } }), { ...ctx, stableVirtualMacs: false });
    expect(d.newMac).toBe(formatHwAddr(persistentMac(ctx.machineId!, 'enp0s5')));
  });

  it('only Ethernet and InfiniBand get generated MACs', () => {
    expect(decideMac(settings('persistent'), veth({ type: 'none', arphrdType: 65534 }), ctx).rewrites).toBe(false);
    expect(decideMac(settings('persistent'), veth({ type: 'bridge' }), ctx).rewrites).toBe(true);
  });
});

describe('decideMac before 250', () => {
  const old: MacContext = { ...ctx, systemdVersion: 249 };
  it('an unreadable addr_assign_type keeps the MAC; a static MAC is applied unverified', () => {
    expect(decideMac(settings('persistent'), veth({ addrAssignType: null }), old).rewrites).toBe(false);
    expect(decideMac(settings('persistent'), veth(), old).rewrites).toBe(true);
    expect(decideMac(settings(null, '03:11:22:33:44:55'), veth(), old).newMac).toBe('03:11:22:33:44:55');
  });
});
