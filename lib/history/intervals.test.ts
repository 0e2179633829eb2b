import { describe, expect, it } from 'vitest';
import { deriveArpIntervals, lanesOf, overlaps } from './intervals';
import { arpChanged, storedEvent, vethAppeared, vethVanished } from './testing/events';

const T = (m: number) => new Date(Date.UTC(2026, 10, 26, 12, m)).toISOString();
const fresh = { stale: false, lastReportAt: T(59) };

describe('deriveArpIntervals', () => {
  it('opens at the first report showing the mismatch; still open is ongoing', () => {
    const [i] = deriveArpIntervals([vethAppeared(1, T(0), 'eniA', 'ok'), arpChanged(2, T(5), 'eniA', 'ok', 'mismatch')], fresh);
    expect(i).toMatchObject({
      lane: 'default/pod-eniA',
      pod: { namespace: 'default', name: 'pod-eniA' },
      ifname: 'eniA',
      from: T(5),
      to: null,
      status: 'ongoing',
      unconfirmedSince: null,
      hostMac: '02:00:00:00:00:02',
      gatewayLladdr: '02:00:00:00:00:01',
      openedByEventId: 2,
      closedByEventId: null,
      closeReason: null,
    });
  });

  it('closes at the first report that does not show it, and reopens on the next mismatch', () => {
    const intervals = deriveArpIntervals(
      [
        arpChanged(2, T(5), 'eniA', 'ok', 'mismatch'),
        arpChanged(3, T(10), 'eniA', 'mismatch', 'ok'),
        arpChanged(4, T(20), 'eniA', 'ok', 'mismatch'),
      ],
      fresh,
    );
    expect(intervals.map((i) => [i.from, i.to, i.status, i.closeReason])).toEqual([
      [T(5), T(10), 'closed', 'arp-ok'],
      [T(20), null, 'ongoing', null],
    ]);
  });

  it('a change to missing or unknown also ends the interval, each named', () => {
    const intervals = deriveArpIntervals(
      [
        arpChanged(1, T(1), 'eniA', 'ok', 'mismatch'),
        arpChanged(2, T(2), 'eniA', 'mismatch', 'missing'),
        arpChanged(3, T(3), 'eniB', 'ok', 'mismatch'),
        arpChanged(4, T(4), 'eniB', 'mismatch', 'unknown'),
      ],
      fresh,
    );
    expect(intervals.map((i) => [i.ifname, i.closeReason])).toEqual([
      ['eniA', 'arp-missing'],
      ['eniB', 'arp-unknown'],
    ]);
  });

  it('a veth that appears broken opens an interval; its vanishing closes it', () => {
    const [i] = deriveArpIntervals([vethAppeared(1, T(0), 'eniA', 'mismatch'), vethVanished(2, T(30), 'eniA')], fresh);
    expect(i).toMatchObject({ from: T(0), to: T(30), status: 'closed', closeReason: 'veth-vanished', openedByEventId: 1, closedByEventId: 2 });
  });

  it('the same name coming back as a new, broken interface starts a new interval', () => {
    const intervals = deriveArpIntervals(
      [vethAppeared(1, T(0), 'eniA', 'mismatch'), vethVanished(2, T(10), 'eniA'), vethAppeared(3, T(10), 'eniA', 'mismatch', 'pod-new')],
      fresh,
    );
    expect(intervals.map((i) => [i.lane, i.from, i.to])).toEqual([
      ['default/pod-eniA', T(0), T(10)],
      ['default/pod-new', T(10), null],
    ]);
  });

  it('a stale node leaves ongoing intervals open, unconfirmed since its last report; closed ones are unaffected', () => {
    const intervals = deriveArpIntervals(
      [arpChanged(1, T(1), 'eniA', 'ok', 'mismatch'), arpChanged(2, T(2), 'eniA', 'mismatch', 'ok'), arpChanged(3, T(3), 'eniB', 'ok', 'mismatch')],
      { stale: true, lastReportAt: T(4) },
    );
    expect(intervals.map((i) => [i.ifname, i.status, i.to, i.unconfirmedSince])).toEqual([
      ['eniA', 'closed', T(2), null],
      ['eniB', 'ongoing', null, T(4)],
    ]);
  });

  it('keys lanes by pod, else by ifname; ignores unrelated events and input order', () => {
    const events = [
      arpChanged(4, T(4), 'eniC', 'ok', 'mismatch', null),
      storedEvent(3, 'package.event', T(3), { at: T(3), action: 'upgrade', package: 'udev', arch: null, fromVersion: '1', toVersion: '2', source: 'dpkg.log' }, 'udev'),
      arpChanged(1, T(1), 'eniA', 'ok', 'mismatch'),
    ];
    const intervals = deriveArpIntervals(events, fresh);
    expect(intervals.map((i) => i.lane)).toEqual(['default/pod-eniA', 'eniC']);
    expect(lanesOf(intervals).map((l) => l.lane)).toEqual(['default/pod-eniA', 'eniC']);
  });

  it('an ok veth never opens anything', () => {
    expect(deriveArpIntervals([vethAppeared(1, T(0), 'eniA', 'ok'), arpChanged(2, T(1), 'eniA', 'ok', 'missing'), vethVanished(3, T(2), 'eniA')], fresh)).toEqual([]);
  });
});

describe('overlaps', () => {
  it('treats intervals as [from, to) and ongoing ones as reaching now', () => {
    expect(overlaps({ from: T(0), to: T(10) }, T(10), T(20))).toBe(false);
    expect(overlaps({ from: T(0), to: T(11) }, T(10), T(20))).toBe(true);
    expect(overlaps({ from: T(20), to: null }, T(10), T(20))).toBe(false);
    expect(overlaps({ from: T(0), to: null }, T(10), T(20))).toBe(true);
  });
});
