import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VethChangeTracker } from './changes';
import { groupMonitorLines, parseMonitorRecord, type LinkEvent } from './parse';

const ev = (over: Partial<LinkEvent>): LinkEvent => ({ deleted: false, ifindex: 9, ifname: 'eni0123456789a', mac: '02:00:00:00:00:09', kind: null, ...over });

describe('VethChangeTracker', () => {
  it('reports appear, MAC change and vanish; ignores flaps', () => {
    const t = new VethChangeTracker();
    expect(t.observe(ev({}))?.change).toBe('appeared');
    expect(t.observe(ev({}))).toBeNull(); // up/down: same MAC
    expect(t.observe(ev({ mac: '4a:58:7e:b3:25:ae' }))).toMatchObject({ change: 'mac-changed', previousMac: '02:00:00:00:00:09', mac: '4a:58:7e:b3:25:ae' });
    expect(t.observe(ev({ deleted: true, mac: '4a:58:7e:b3:25:ae' }))?.change).toBe('vanished');
    expect(t.observe(ev({}))?.change).toBe('appeared');
  });

  it('sees the udev rewrite in the real B capture exactly once', () => {
    const t = new VethChangeTracker();
    const text = readFileSync(new URL('./fixtures/B-ip-monitor-link.txt', import.meta.url), 'utf8');
    const changes = groupMonitorLines(text)
      .map(parseMonitorRecord)
      .map((e) => (e ? t.observe(e) : null))
      .filter(Boolean);
    expect(changes.map((c) => c?.change)).toEqual(['appeared', 'mac-changed']);
  });

  it('follows any veth by kind, other links only by the CNI prefix', () => {
    const t = new VethChangeTracker('eni');
    expect(t.observe(ev({ ifindex: 1, ifname: 'vwt1', kind: 'veth' }))?.change).toBe('appeared');
    expect(t.observe(ev({ ifindex: 2, ifname: 'br0', kind: 'bridge' }))).toBeNull();
    expect(t.observe(ev({ ifindex: 2, ifname: 'br0', deleted: true }))).toBeNull();
    t.setPrefix('vlan');
    expect(t.observe(ev({ ifindex: 3, ifname: 'vlan5', kind: null }))?.change).toBe('appeared');
    expect(t.observe(ev({ ifindex: 4, ifname: 'eni0000', kind: null }))).toBeNull();
  });

  it('seeded from a scan, does not take the first flap of a known veth for a new one', () => {
    const t = new VethChangeTracker();
    t.seed([{ ifindex: 9, ifname: 'eni0123456789a', mac: '02:00:00:00:00:09' }]);
    expect(t.observe(ev({}))).toBeNull();
    expect(t.observe(ev({ mac: '02:00:00:00:00:0a' }))?.change).toBe('mac-changed');
  });
});
