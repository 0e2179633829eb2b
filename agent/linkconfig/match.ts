// net_match_config() of systemd 252 (src/shared/net-condition.c), for .link files. All present keys must hold.
// Within one key's list: any matching "!pattern" rejects; if the list has any positive pattern one of them
// must match; a list of only negative patterns accepts everything they do not match. A subject the device
// does not have (no driver, no ID_PATH) matches no positive pattern and no negative one.
import { fnmatch } from './fnmatch';
import { macFromString } from './hwaddr';
import type { DeviceFacts, NetMatch } from './types';

export function testStrv(patterns: readonly string[], subject: string | null): boolean {
  if (patterns.length === 0) return true;
  let match = false;
  let hasPositive = false;
  for (const p of patterns) {
    const invert = p.startsWith('!');
    const q = invert ? p.slice(1) : p;
    if (!invert) hasPositive = true;
    if (subject !== null && fnmatch(q, subject)) {
      if (invert) return false;
      match = true;
    }
  }
  return hasPositive ? match : true;
}

/**
 * Property=: every entry must hold; "KEY=glob" needs the property present and matching, "!KEY=glob" needs it
 * absent or not matching. The key is compared exactly, only the value is a glob.
 */
export function testProperties(entries: readonly string[], props: Record<string, string>): boolean {
  for (const e of entries) {
    const invert = e.startsWith('!');
    const body = invert ? e.slice(1) : e;
    const eq = body.indexOf('=');
    if (eq < 0) return false;
    const key = body.slice(0, eq);
    const val = body.slice(eq + 1);
    const has = Object.prototype.hasOwnProperty.call(props, key);
    const v = has && fnmatch(val, props[key]);
    if (invert ? v : !v) return false;
  }
  return true;
}

export function netMatch(m: NetMatch, dev: DeviceFacts): boolean {
  if (m.hwAddr) {
    const a = macFromString(dev.mac);
    if (!a || !m.hwAddr.some((x) => x.length === a.length && x.hex === a.hex)) return false;
  }
  if (m.permanentHwAddr) {
    const a = macFromString(dev.permanentMac);
    if (!a || !m.permanentHwAddr.some((x) => x.length === a.length && x.hex === a.hex)) return false;
  }
  const path = dev.path ?? dev.properties.ID_PATH ?? null;
  if (!testStrv(m.path, path)) return false;
  if (!testStrv(m.driver, dev.driver)) return false;
  if (!testStrv(m.iftype, dev.type)) return false;
  if (!testStrv(m.kind, dev.kind)) return false;
  if (!testStrv(m.ifname, dev.ifname)) return false;
  if (!testProperties(m.property, dev.properties)) return false;
  return true;
}

export function netMatchIsEmpty(m: NetMatch): boolean {
  return (
    (m.hwAddr === null || m.hwAddr.length === 0) &&
    (m.permanentHwAddr === null || m.permanentHwAddr.length === 0) &&
    m.path.length === 0 &&
    m.driver.length === 0 &&
    m.iftype.length === 0 &&
    m.kind.length === 0 &&
    m.ifname.length === 0 &&
    m.property.length === 0
  );
}
