// Decides which link events deserve an immediate report: a CNI veth appearing, vanishing or changing MAC (the
// udev rewrite this project exists for). Up/down flaps and other links do not; the periodic scan covers them.
import type { LinkEvent } from './parse';

export type VethChangeKind = 'appeared' | 'vanished' | 'mac-changed';

export interface VethChange {
  change: VethChangeKind;
  ifindex: number;
  ifname: string;
  mac: string | null;
  previousMac?: string | null;
}

interface Known {
  ifname: string;
  mac: string | null;
}

/** The MAC a veth had in its first netlink event, and when its MAC first changed after that. */
export interface Creation {
  ifname: string;
  mac: string;
  /** Milliseconds since the epoch (agent clock) of the first event. */
  at: number;
  /** When the MAC first changed, and to what; null until it does. */
  rewrittenAt: number | null;
  rewrittenTo: string | null;
}

/** Creations remembered at most (a node's veths, with room): the oldest are forgotten first. */
export const MAX_CREATIONS = 4096;

export class VethChangeTracker {
  private prefix: string;
  private readonly known = new Map<number, Known>();
  /** Veths this agent saw being created, by ifindex, oldest first. */
  private readonly created = new Map<number, Creation>();

  constructor(vethPrefix = 'eni') {
    this.prefix = vethPrefix;
  }

  /** The CNI's host veth prefix, as the latest scan found it. */
  setPrefix(prefix: string): void {
    this.prefix = prefix;
  }

  /** What a scan saw, so the first flap of an already reported veth is not taken for a new one. */
  seed(veths: ReadonlyArray<{ ifindex: number; ifname: string; mac: string }>): void {
    for (const v of veths) this.known.set(v.ifindex, { ifname: v.ifname, mac: v.mac });
  }

  private relevant(ev: LinkEvent): boolean {
    return ev.kind === 'veth' || ev.ifname.startsWith(this.prefix);
  }

  /** What the agent saw of this veth's creation (same ifindex and name), or null when it was there before. */
  creation(ifindex: number, ifname: string): Creation | null {
    const c = this.created.get(ifindex);
    return c && c.ifname === ifname ? c : null;
  }

  /**
   * Adds `creation` to each veth of a report that this agent saw appear: the MAC it had then, and how long after
   * that its MAC first changed (udev's rewrite happens within milliseconds, before any scan can see the old MAC).
   */
  annotate<V extends { ifindex: number; ifname: string; creation?: unknown }>(veths: V[]): void {
    for (const v of veths) {
      const c = this.creation(v.ifindex, v.ifname);
      if (!c) continue;
      v.creation = {
        mac: c.mac,
        at: new Date(c.at).toISOString(),
        rewrittenAfterMs: c.rewrittenAt === null ? null : Math.max(0, c.rewrittenAt - c.at),
      };
    }
  }

  private remember(ev: LinkEvent, before: Known | undefined, now: number): void {
    const c = this.created.get(ev.ifindex);
    if (!before) {
      // A new interface: its first event carries the MAC the kernel (or the CNI) gave it.
      if (ev.mac === null) return;
      this.created.delete(ev.ifindex);
      this.created.set(ev.ifindex, { ifname: ev.ifname, mac: ev.mac, at: now, rewrittenAt: null, rewrittenTo: null });
      while (this.created.size > MAX_CREATIONS) this.created.delete(this.created.keys().next().value!);
      return;
    }
    if (!c) return;
    c.ifname = ev.ifname; // a rename keeps the creation
    if (c.rewrittenAt === null && ev.mac !== null && ev.mac !== c.mac) {
      c.rewrittenAt = now;
      c.rewrittenTo = ev.mac;
    }
  }

  observe(ev: LinkEvent, now: number = Date.now()): VethChange | null {
    const before = this.known.get(ev.ifindex);
    if (ev.deleted) {
      this.created.delete(ev.ifindex);
      this.known.delete(ev.ifindex);
      if (!before && !this.relevant(ev)) return null;
      return { change: 'vanished', ifindex: ev.ifindex, ifname: ev.ifname, mac: ev.mac };
    }
    if (!this.relevant(ev)) return null;
    this.remember(ev, before, now);
    this.known.set(ev.ifindex, { ifname: ev.ifname, mac: ev.mac });
    if (!before || before.ifname !== ev.ifname) {
      return { change: 'appeared', ifindex: ev.ifindex, ifname: ev.ifname, mac: ev.mac };
    }
    if (before.mac !== ev.mac) {
      return { change: 'mac-changed', ifindex: ev.ifindex, ifname: ev.ifname, mac: ev.mac, previousMac: before.mac };
    }
    return null;
  }
}
