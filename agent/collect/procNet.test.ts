import { describe, expect, it } from 'vitest';
import { ARP_FLAGS_PERMANENT, netFingerprint, type NetFingerprintFiles, parseProcArp } from './procNet';

// Captured from a lab pod namespace on this project's dev machine (kernel 6.18), through /proc/<pid>/net.
const ARP = `IP address       HW type     Flags       HW address            Mask     Device
169.254.1.1      0x1         0x6         ae:8c:25:01:44:26     *        eth0
10.244.0.9       0x1         0x2         AE:8C:25:01:44:27     *        eth0
`;

const FILES: NetFingerprintFiles = {
  dev: `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0:     356       4    0    0    0     0          0         0      520       6    0    2    0     0       0          0
`,
  route: `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       
eth0\t00000000\t0101FEA9\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               
eth0\t0101FEA9\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0                                                                               
`,
  fibTrie: `Main:
  +-- 0.0.0.0/0 2 0 2
     +-- 0.0.0.0/4 2 0 2
        |-- 0.0.0.0
           /0 universe UNICAST
        |-- 10.244.0.77
           /32 host LOCAL
     |-- 169.254.1.1
        /32 link UNICAST
`,
  ifInet6: `fe800000000000003cb693fffe3e2a7a 03 40 20 80     eth0
`,
  ipv6Route: `fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000003cb693fffe3e2a7a 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0
`,
};

describe('parseProcArp', () => {
  it('reads entries with their flags, hardware addresses in lower case', () => {
    expect(parseProcArp(ARP)).toEqual([
      { ip: '169.254.1.1', hwType: 1, flags: ARP_FLAGS_PERMANENT, hwAddr: 'ae:8c:25:01:44:26', dev: 'eth0' },
      { ip: '10.244.0.9', hwType: 1, flags: 0x2, hwAddr: 'ae:8c:25:01:44:27', dev: 'eth0' },
    ]);
  });

  it('an empty table is no entries; anything unexpected is null (ip reads that namespace instead)', () => {
    expect(parseProcArp(ARP.split('\n')[0] + '\n')).toEqual([]);
    expect(parseProcArp('')).toBeNull();
    expect(parseProcArp(ARP.replace('0x6', 'six'))).toBeNull();
    expect(parseProcArp(ARP + '10.0.0.1 0x1 0x2\n')).toBeNull();
  });
});

describe('netFingerprint', () => {
  const fp = netFingerprint(FILES);
  const with_ = (patch: Partial<NetFingerprintFiles>) => netFingerprint({ ...FILES, ...patch });

  it('ignores traffic: packet counters, route reference/use counts, address flags', () => {
    expect(with_({ dev: FILES.dev.replace('356       4', '9999999 12345') })).toBe(fp);
    expect(with_({ route: FILES.route.replace('0003\t0\t0', '0003\t7\t42') })).toBe(fp);
    expect(with_({ ipv6Route: FILES.ipv6Route.replace('00000002 00000000 80200001', '00000009 000000ff 80200001') })).toBe(fp);
    expect(with_({ ifInet6: FILES.ifInet6.replace(' 20 80 ', ' 20 c0 ') })).toBe(fp);
  });

  it('changes with an interface name, a gateway, a prefix or address, IPv6 addresses and routes', () => {
    const changed = [
      with_({ dev: FILES.dev.replace('eth0:', 'eth1:') }),
      with_({ route: FILES.route.replace('0101FEA9\t0003', '0901FEA9\t0003') }),
      with_({ route: FILES.route.replace(/^eth0/m, 'eth1') }),
      with_({ fibTrie: FILES.fibTrie.replace('10.244.0.77', '10.244.0.78') }),
      with_({ fibTrie: FILES.fibTrie.replace('/32 link UNICAST', '/32 universe UNICAST') }),
      with_({ ifInet6: FILES.ifInet6.replace(' 40 ', ' 80 ') }),
      with_({ ifInet6: FILES.ifInet6.replace(' 20 ', ' 00 ') }),
      with_({ ipv6Route: FILES.ipv6Route.replace(/00000000000000000000000000000000 00000100/, '20010db8000000000000000000000001 00000100') }),
    ];
    for (const c of changed) expect(c).not.toBe(fp);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
