// Live interface attributes from /sys/class/net (kernel state: never under --root).
import { readFileSync } from 'node:fs';

/**
 * 0 permanent, 1 random, 2 stolen, 3 set by userspace; null when the interface vanished or the value is odd.
 * Synchronous on purpose: a sysfs attribute is produced in memory on read, and a scan reads one per pod veth,
 * where the promise API's open/stat/read/close round trips through the thread pool cost more than the reads.
 */
export function readAddrAssignType(ifname: string): number | null {
  if (!/^[^/\s]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') return null;
  try {
    const v = Number(readFileSync(`/sys/class/net/${ifname}/addr_assign_type`, 'utf8').trim());
    return Number.isInteger(v) && v >= 0 && v <= 3 ? v : null;
  } catch {
    return null;
  }
}
