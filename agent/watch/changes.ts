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

export class VethChangeTracker {
  private prefix: string;
  private readonly known = new Map<number, Known>();

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

  observe(ev: LinkEvent): VethChange | null {
    const before = this.known.get(ev.ifindex);
    if (ev.deleted) {
      this.known.delete(ev.ifindex);
      if (!before && !this.relevant(ev)) return null;
      return { change: 'vanished', ifindex: ev.ifindex, ifname: ev.ifname, mac: ev.mac };
    }
    if (!this.relevant(ev)) return null;
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
