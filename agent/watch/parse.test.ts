import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupMonitorLines, parseMonitorRecord } from './parse';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMonitorRecord on real ip monitor output', () => {
  it('reads the udev MAC rewrite from the B capture (multi-line, -ts timestamps)', () => {
    const events = groupMonitorLines(fixture('B-ip-monitor-link.txt')).map(parseMonitorRecord);
    expect(events).toHaveLength(4);
    expect(events.every((e) => e?.ifindex === 10 && e.ifname === 'eni76bbb1eb541' && !e.deleted)).toBe(true);
    expect(events.map((e) => e?.mac)).toEqual(['ca:09:08:a8:cd:d1', 'ca:09:08:a8:cd:d1', 'ca:09:08:a8:cd:d1', '4a:58:7e:b3:25:ae']);
  });

  it('reads the -j capture, which iproute2 6.1 still prints as text', () => {
    const events = groupMonitorLines(fixture('ip-j-monitor-link.txt')).map(parseMonitorRecord);
    expect(events).toEqual([
      { deleted: false, ifindex: 10, ifname: 'eni76bbb1eb541', mac: '4a:58:7e:b3:25:af', kind: null },
      { deleted: false, ifindex: 10, ifname: 'eni76bbb1eb541', mac: '4a:58:7e:b3:25:ae', kind: null },
    ]);
  });

  it('reads `ip -o monitor link` one line at a time, including the Deleted line', () => {
    const lines = fixture('ip-o-monitor-link.txt').split('\n').filter(Boolean);
    const events = lines.map(parseMonitorRecord);
    expect(events.map((e) => [e?.deleted, e?.ifindex, e?.ifname, e?.mac])).toEqual([
      [false, 2, 'eniab12cd34ef5', '5a:7e:20:91:d1:8f'],
      [false, 2, 'eniab12cd34ef5', '5a:7e:20:91:d1:8f'],
      [false, 2, 'eniab12cd34ef5', '02:11:22:33:44:55'],
      [false, 2, 'eniab12cd34ef5', '02:11:22:33:44:55'],
      [true, 2, 'eniab12cd34ef5', '02:11:22:33:44:55'],
    ]);
  });

  it('finds the link kind in `ip -d -o monitor link` (what the agent runs)', () => {
    const events = fixture('ip-d-o-monitor-link.txt').split('\n').filter(Boolean).map(parseMonitorRecord);
    expect(events).toHaveLength(5);
    expect(events.every((e) => e?.kind === 'veth' && e.ifname === 'eniab12cd34ef5')).toBe(true);
    expect(events.at(-1)?.deleted).toBe(true);
  });

  it('handles other links and prefixes, and ignores what is not a link event', () => {
    expect(parseMonitorRecord('[LINK]3: br0: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UP \\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 1500')).toEqual({
      deleted: false,
      ifindex: 3,
      ifname: 'br0',
      mac: '02:00:00:00:00:01',
      kind: 'bridge',
    });
    expect(parseMonitorRecord('5: tun0: <POINTOPOINT,UP> mtu 1500 \\    link/none ')).toMatchObject({ ifname: 'tun0', mac: null, kind: null });
    expect(parseMonitorRecord('7: eth0: <UP> mtu 1500 \\    link/ether AA:BB:CC:DD:EE:FF brd ff:ff:ff:ff:ff:ff \\    altname enp0s3')).toMatchObject({
      mac: 'aa:bb:cc:dd:ee:ff',
      kind: null,
    });
    expect(parseMonitorRecord('Timestamp: Thu Nov 26 13:41:16 2026 775247 usec')).toBeNull();
    expect(parseMonitorRecord('')).toBeNull();
    expect(parseMonitorRecord('garbage line')).toBeNull();
  });
});
