// Hardware addresses as systemd 252's parse_hw_addr_full() (src/basic/ether-addr-util.c) reads them, with
// expected_len 0 as the .link keys use it: an IPv4 (4 bytes) or IPv6 (16 bytes) literal, or hex groups of one
// byte ("xx:yy:..", "xx-yy-..", each group one or two hex digits) or two bytes ("xxyy.zzaa.bbcc"), 6 or 20 bytes
// long. Match sets compare length and bytes, so a 4-byte value can never match an Ethernet MAC.
import { isIPv4, isIPv6 } from 'node:net';

export interface HwAddr {
  /** Lower-case hex of the bytes, no separators. */
  hex: string;
  length: number;
}

const HEXDIGITS = '0123456789abcdefABCDEF';
const INFINIBAND_ALEN = 20;
const ETH_ALEN = 6;

function ipv4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

function ipv6Bytes(s: string): number[] {
  let text = s;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = ipv4Bytes(v4[1]);
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === null ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  const bytes: number[] = [];
  for (const g of groups) {
    const v = parseInt(g || '0', 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function toHwAddr(bytes: number[]): HwAddr {
  return { hex: bytes.map((b) => b.toString(16).padStart(2, '0')).join(''), length: bytes.length };
}

/** parse_hw_addr_full(s, 0). Null when udev would log "Not a valid hardware address". */
export function parseHwAddr(s: string): HwAddr | null {
  // inet_pton() is strict (no leading zeros, exact forms), which is what Node's isIPv4/isIPv6 implement too.
  if (isIPv4(s)) return toHwAddr(ipv4Bytes(s));
  if (isIPv6(s) && !s.includes('%')) return toHwAddr(ipv6Bytes(s));

  let k = 0;
  while (k < s.length && HEXDIGITS.includes(s[k])) k++;
  const sep = s[k];
  let fieldSize: number;
  if (sep === '.') fieldSize = 2;
  else if (sep === ':' || sep === '-') fieldSize = 1;
  else return null;

  const maxLen = INFINIBAND_ALEN;
  const bytes: number[] = [];
  let p = 0;
  let len = 0;
  for (let i = 0; i < maxLen / fieldSize; i++) {
    let data = 0;
    let digits = 0;
    for (; digits < fieldSize * 2; digits++) {
      const ch = s[p];
      if (ch === undefined || ch === sep) {
        if (digits === 0) return null;
        break;
      }
      if (!HEXDIGITS.includes(ch)) return null;
      data = data * 16 + parseInt(ch, 16);
      p++;
    }
    if (s[p] !== undefined && s[p] !== sep) return null;
    if (fieldSize === 1) bytes.push(data);
    else bytes.push((data >> 8) & 0xff, data & 0xff);
    const cont = s[p] === sep;
    if (cont) p++;
    if (!cont) {
      len = (i + 1) * fieldSize;
      break;
    }
  }
  if (len === 0) return null;
  if (![4, 16, ETH_ALEN, INFINIBAND_ALEN].includes(len)) return null;
  return toHwAddr(bytes);
}

/** "aa:bb:cc:dd:ee:ff" for any length. */
export function formatHwAddr(a: HwAddr): string {
  return (a.hex.match(/../g) ?? []).join(':');
}

/** A device MAC as sysfs/ip print it; null (length 0) when the device has none. */
export function macFromString(mac: string | null): HwAddr | null {
  if (!mac) return null;
  const parts = mac.trim().toLowerCase().split(':');
  if (parts.length < 1 || parts.some((p) => !/^[0-9a-f]{1,2}$/.test(p))) return null;
  return toHwAddr(parts.map((p) => parseInt(p, 16)));
}

export function hwAddrEqual(a: HwAddr | null, b: HwAddr | null): boolean {
  if (!a || !b) return (a?.length ?? 0) === (b?.length ?? 0);
  return a.length === b.length && a.hex === b.hex;
}

export function hwAddrBytes(a: HwAddr): number[] {
  return (a.hex.match(/../g) ?? []).map((h) => parseInt(h, 16));
}

export function hwAddrFromBytes(bytes: number[]): HwAddr {
  return toHwAddr(bytes);
}
