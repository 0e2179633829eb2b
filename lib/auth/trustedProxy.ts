import 'server-only';
// VETHWATCH_TRUSTED_PROXY: the addresses (or CIDRs) of the authenticating proxy in front of the server. Identity
// headers are believed only on requests whose socket peer is one of them: anyone who can reach the server directly
// can send X-Forwarded-User themselves. The old on/off values are refused, since "trust whoever sends them" is
// exactly the hole this closes.
import { BlockList, isIP } from 'node:net';
import { peerAddress } from '../http/peer';
import { AuthConfigError } from './operators';

export const TRUSTED_PROXY_ENV = 'VETHWATCH_TRUSTED_PROXY';
/** The headers only a trusted proxy may set. */
export const PROXY_IDENTITY_HEADERS = ['x-forwarded-user', 'x-forwarded-groups', 'x-forwarded-host'] as const;

export interface TrustedProxy {
  list: BlockList;
  /** As configured, for the start-up log. */
  entries: string[];
}

const HOW = `list the proxy's addresses or CIDRs, e.g. ${TRUSTED_PROXY_ENV}=10.0.0.5,10.1.0.0/16`;

/** Null when unset; throws AuthConfigError for anything that is not a list of addresses and CIDRs. */
export function parseTrustedProxy(raw: string | undefined): TrustedProxy | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  const list = new BlockList();
  const entries: string[] = [];
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry === '') throw new AuthConfigError(`${TRUSTED_PROXY_ENV} has an empty entry; ${HOW}`);
    if (/^(1|0|true|false|yes|no|on|off)$/i.test(entry)) {
      throw new AuthConfigError(`${TRUSTED_PROXY_ENV}=${entry} no longer switches proxy trust on or off: ${HOW}`);
    }
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    if (family === 0) throw new AuthConfigError(`${TRUSTED_PROXY_ENV}: "${entry}" is not an IP address or CIDR; ${HOW}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash === -1) {
      list.addAddress(address, type);
    } else {
      const bits = entry.slice(slash + 1);
      const prefix = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
        throw new AuthConfigError(`${TRUSTED_PROXY_ENV}: "${entry}" has an invalid prefix length; ${HOW}`);
      }
      list.addSubnet(address, prefix, type);
    }
    entries.push(entry);
  }
  return { list, entries };
}

/** Whether an address (as the socket reports it) is in the list. IPv4-mapped IPv6 counts as its IPv4 address. */
export function isTrustedAddress(proxy: TrustedProxy | null, address: string | null): boolean {
  if (!proxy || !address) return false;
  const plain = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is not part of the address
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain)?.[1];
  const candidate = mapped ?? plain;
  const family = isIP(candidate);
  if (family === 0) return false;
  return proxy.list.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether this request came straight from the trusted proxy (never true without the server's peer header). */
export function fromTrustedProxy(headers: Headers, proxy: TrustedProxy | null): boolean {
  return isTrustedAddress(proxy, peerAddress(headers));
}

/** Which identity headers a request carries (names only: their values are not logged). */
export function proxyHeadersPresent(headers: Headers): string[] {
  return PROXY_IDENTITY_HEADERS.filter((h) => headers.has(h));
}
