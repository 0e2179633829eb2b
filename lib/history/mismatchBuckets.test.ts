import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '../events/types';
import type { ArpStatus } from '../report/schema';
import { mismatchDelta } from '../events/mismatch';
import { foldMismatchStrips, stripEnd, type MismatchMove } from './mismatchBuckets';

const END = new Date('2026-11-26T12:00:00.000Z');
/** An ISO time `h` hours (fractional) after the window's start (11:00 UTC the day before, hour 0). */
const at = (h: number) => new Date(END.getTime() - 24 * 3600_000 + h * 3600_000).toISOString();

let nextId = 1;
function arp(node: string, ifname: string, h: number, from: ArpStatus, to: ArpStatus): NodeEvent {
  return {
    id: nextId++, node, type: 'arp.changed', at: at(h), receivedAt: at(h), reportId: `r-${h}`, subject: ifname,
    data: { ifname, from, to, pod: null, podIP: null, hostMac: '02:00:00:00:00:01', gatewayLladdr: null, fromGatewayLladdr: null },
  } as NodeEvent;
}
function vanished(node: string, ifname: string, h: number, arpStatus: ArpStatus): NodeEvent {
  return {
    id: nextId++, node, type: 'veth.vanished', at: at(h), receivedAt: at(h), reportId: `r-${h}`, subject: ifname,
    data: { ifname, ifindex: 5, mac: '02:00:00:00:00:01', pod: null, podIP: null, arpStatus },
  } as NodeEvent;
}
/** Events as the store hands them to the fold: with their mismatch delta. */
const toMismatchMoves = (events: readonly NodeEvent[]): MismatchMove[] =>
  events.map((e) => ({ id: e.id, node: e.node, at: e.at, delta: mismatchDelta(e) }));
const strip = (hours: Record<number, number>, base = 0) => Array.from({ length: 24 }, (_, i) => hours[i] ?? base);

describe('stripEnd', () => {
  it('is the start of the next UTC hour', () => {
    expect(stripEnd(new Date('2026-11-26T11:59:59.999Z')).toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(stripEnd(new Date('2026-11-26T12:00:00.000Z')).toISOString()).toBe('2026-11-26T13:00:00.000Z');
  });
});

describe('foldMismatchStrips', () => {
  it('with no events, every hour holds the current count', () => {
    const out = foldMismatchStrips(new Map([['a', 0], ['b', 3]]), [], END);
    expect(out.get('a')).toEqual(strip({}, 0));
    expect(out.get('b')).toEqual(strip({}, 3));
  });

  it('replays an interval that opened and closed inside the window', () => {
    const events = [arp('n', 'eni1', 20.5, 'ok', 'mismatch'), arp('n', 'eni1', 22.25, 'mismatch', 'ok')];
    // Healed now (count 0): the window started at 0, broke in hour 20, healed in hour 22 (which still peaked at 1).
    expect(foldMismatchStrips(new Map([['n', 0]]), toMismatchMoves(events), END).get('n')).toEqual(strip({ 20: 1, 21: 1, 22: 1 }));
  });

  it('counts the peak: a ten-minute blip shows in its hour, an ongoing one up to now', () => {
    const events = [
      arp('n', 'eni1', 3.1, 'ok', 'mismatch'),
      arp('n', 'eni1', 3.3, 'mismatch', 'ok'),
      arp('n', 'eni2', 10.5, 'ok', 'mismatch'),
      arp('n', 'eni3', 11.5, 'missing', 'mismatch'),
    ];
    const s = foldMismatchStrips(new Map([['n', 2]]), toMismatchMoves(events), END).get('n')!;
    expect(s).toEqual(strip({ 3: 1, 10: 1, ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [12 + i, 2])), 11: 2 }));
  });

  it('takes the state after a whole report: a heal and a break in one report do not make a peak of 2', () => {
    const events = [arp('n', 'eni2', 5.5, 'ok', 'mismatch'), arp('n', 'eni1', 5.5, 'mismatch', 'ok')];
    // Event order inside the report is arbitrary (by id); the count after it is 1, as before it.
    expect(foldMismatchStrips(new Map([['n', 1]]), toMismatchMoves(events), END).get('n')).toEqual(strip({}, 1));
  });

  it('a veth that vanished while mismatched leaves the count', () => {
    const events = [vanished('n', 'eni1', 6.5, 'mismatch'), vanished('n', 'eni2', 7.5, 'ok')];
    expect(foldMismatchStrips(new Map([['n', 0]]), toMismatchMoves(events), END).get('n')).toEqual(strip({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1 }));
    expect(mismatchDelta(events[1])).toBe(0);
  });

  it('ignores events before the window and of unknown nodes, and puts node-clock-ahead events in the last hour', () => {
    const events = [arp('n', 'eni1', -1, 'ok', 'mismatch'), arp('gone', 'eni1', 2, 'ok', 'mismatch'), arp('n', 'eni2', 25, 'ok', 'mismatch')];
    const out = foldMismatchStrips(new Map([['n', 2]]), toMismatchMoves(events), END);
    expect(out.get('n')).toEqual(strip({ 23: 2 }, 1));
    expect(out.has('gone')).toBe(false);
  });

  it('never draws a negative count when history inside the window is missing', () => {
    const events = [arp('n', 'eni1', 4.5, 'ok', 'mismatch')];
    // The store says 0 now but the window shows a break that never healed (say, pruned events): clamp at 0.
    expect(foldMismatchStrips(new Map([['n', 0]]), toMismatchMoves(events), END).get('n')).toEqual(strip({ 4: 1 }, 1).map((v, i) => (i < 4 ? 0 : v)));
  });
});
