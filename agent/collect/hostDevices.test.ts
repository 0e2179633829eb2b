import { describe, expect, it } from 'vitest';
import type { IpLink } from './ipJson';
import { hostDeviceFacts, hostDeviceRole, parseFdb } from './hostDevices';
import { machineIdHash } from './machineId';
import { MACHINE_ID_SALT } from '../../lib/report/schema';
import { createHash } from 'node:crypto';

const link = (ifname: string, kind: string | null): IpLink => ({
  ifindex: 9,
  ifname,
  address: 'AA:BB:CC:00:11:22',
  linkType: 'ether',
  linkIndex: null,
  linkNetnsid: null,
  linkPeer: null,
  kind,
  addrs: [],
});

describe('hostDeviceRole', () => {
  it.each([
    ['cni0', 'cni-bridge'],
    ['flannel.1', 'overlay'],
    ['flannel-v6.1', 'overlay'],
    ['vxlan.calico', 'overlay'],
    ['cilium_vxlan', 'overlay'],
    ['cilium_geneve', 'overlay'],
    ['cilium_host', 'gateway'],
    ['cilium_net', 'gateway'],
    ['antrea-gw0', 'gateway'],
    ['lxc_health', 'health'],
  ])('%s is %s', (name, role) => expect(hostDeviceRole(name)).toBe(role));

  it('leaves NICs and pod veths alone', () => {
    for (const n of ['eth0', 'ens5', 'eni45feae23a30', 'lxc1234', 'cali1', 'docker0', 'cni01']) expect(hostDeviceRole(n)).toBeNull();
  });
});

describe('hostDeviceFacts', () => {
  it('gives udev a bridge or vxlan device with its DEVTYPE and driver, a veth as ether', () => {
    const bridge = hostDeviceFacts(link('cni0', 'bridge'), 1, {});
    expect(bridge).toMatchObject({ type: 'bridge', driver: 'bridge', kind: 'bridge', mac: 'aa:bb:cc:00:11:22', addrAssignType: 1 });
    expect(bridge.properties).toMatchObject({ DEVTYPE: 'bridge', ID_NET_DRIVER: 'bridge', INTERFACE: 'cni0', ACTION: 'add' });
    expect(hostDeviceFacts(link('flannel.1', 'vxlan'), 3, {}).type).toBe('vxlan');
    const veth = hostDeviceFacts(link('cilium_host', 'veth'), 1, { ID_NET_DRIVER: 'veth' });
    expect(veth.type).toBe('ether');
    expect(veth.properties.DEVTYPE).toBeUndefined();
  });
});

describe('parseFdb', () => {
  it('keeps MAC and destination, skips rows without a MAC', () => {
    const rows = [{ mac: '0A:58:0A:F4:01:01', dst: '192.0.2.7', flags: ['self'], state: 'permanent' }, { mac: 'nonsense' }, { dst: '192.0.2.8' }, { mac: '00:00:00:00:00:00' }];
    expect(parseFdb('flannel.1', rows)).toEqual([
      { mac: '0a:58:0a:f4:01:01', dst: '192.0.2.7', dev: 'flannel.1' },
      { mac: '00:00:00:00:00:00', dst: null, dev: 'flannel.1' },
    ]);
    expect(parseFdb('x', { not: 'an array' })).toEqual([]);
  });
});

describe('machineIdHash', () => {
  const id = '0123456789abcdef0123456789abcdef';
  it('is the salted SHA-256, equal for equal IDs and never the ID', () => {
    const h = machineIdHash(`${id}\n`);
    expect(h).toBe(createHash('sha256').update(MACHINE_ID_SALT + id).digest('hex'));
    expect(h).not.toContain(id);
    expect(machineIdHash(id.toUpperCase())).toBe(h);
    expect(machineIdHash('fedcba9876543210fedcba9876543210')).not.toBe(h);
  });
  it('is null for an empty or odd file', () => {
    expect(machineIdHash('')).toBeNull();
    expect(machineIdHash('uninitialized\n')).toBeNull();
  });
});
