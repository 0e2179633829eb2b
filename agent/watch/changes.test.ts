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

  it('remembers the MAC a veth was created with and when it was first rewritten, and adds it to the report', () => {
    const t = new VethChangeTracker();
    t.observe(ev({ mac: '02:00:00:00:00:09' }), 1000);
    t.observe(ev({ mac: '4a:58:7e:b3:25:ae' }), 1012);
    t.observe(ev({ mac: '4a:58:7e:b3:25:af' }), 2000); // a later change is not the rewrite at creation
    const veths = [
      { ifindex: 9, ifname: 'eni0123456789a', mac: '4a:58:7e:b3:25:af' } as { ifindex: number; ifname: string; mac: string; creation?: unknown },
      { ifindex: 10, ifname: 'eniold', mac: '02:00:00:00:00:10' } as { ifindex: number; ifname: string; mac: string; creation?: unknown },
    ];
    t.annotate(veths);
    expect(veths[0].creation).toEqual({ mac: '02:00:00:00:00:09', at: '1970-01-01T00:00:01.000Z', rewrittenAfterMs: 12 });
    expect(veths[1].creation).toBeUndefined();
    // Seeded veths (there before the watch) have no creation; a deleted one forgets it.
    t.seed([{ ifindex: 11, ifname: 'eniseed', mac: '02:00:00:00:00:11' }]);
    t.observe(ev({ ifindex: 11, ifname: 'eniseed', mac: '02:00:00:00:00:12' }), 3000);
    expect(t.creation(11, 'eniseed')).toBeNull();
    t.observe(ev({ deleted: true }), 4000);
    expect(t.creation(9, 'eni0123456789a')).toBeNull();
  });

  it('seeded from a scan, does not take the first flap of a known veth for a new one', () => {
    const t = new VethChangeTracker();
    t.seed([{ ifindex: 9, ifname: 'eni0123456789a', mac: '02:00:00:00:00:09' }]);
    expect(t.observe(ev({}))).toBeNull();
    expect(t.observe(ev({ mac: '02:00:00:00:00:0a' }))?.change).toBe('mac-changed');
  });
});
