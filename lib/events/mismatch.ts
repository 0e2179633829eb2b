// How one event moves its node's count of veths in ARP mismatch. Computed once, when the event is stored
// (events.mismatch_delta, migration 0006), so the fleet's 24 h strips read only the rare events that move a count
// instead of parsing every veth.appeared of a fleet's first day.
import type { EventDataMap, EventType } from './types';

/** An event's type and data, whether stored (NodeEvent) or about to be (EventDraft). */
export type EventBody = { [K in EventType]: { type: K; data: EventDataMap[K] } }[EventType];

/** One stored event that moved its node's mismatch count (events.mismatch_delta <> 0). */
export interface MismatchMove {
  id: number;
  node: string;
  at: string;
  delta: number;
}

/** +1, -1 or 0. */
export function mismatchDelta(e: EventBody): number {
  switch (e.type) {
    case 'arp.changed':
      return Number(e.data.to === 'mismatch') - Number(e.data.from === 'mismatch');
    case 'veth.appeared':
      return Number(e.data.arpStatus === 'mismatch');
    case 'veth.vanished':
      return e.data.arpStatus === 'mismatch' ? -1 : 0;
    default:
      return 0;
  }
}
