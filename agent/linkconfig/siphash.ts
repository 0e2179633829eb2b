// SipHash-2-4 with a 128-bit key, as src/fundamental/siphash24.c computes it. udev derives "persistent" MACs
// from siphash24(machine-id || name, fixed key), so with it the agent can name the exact MAC udev will set.

const MASK = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK;
}

function le64(bytes: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
  return v;
}

export function siphash24(data: Uint8Array, key: Uint8Array): bigint {
  const k0 = le64(key, 0);
  const k1 = le64(key, 8);
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;

  const round = () => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n);
    v1 ^= v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n);
    v3 ^= v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n);
    v3 ^= v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n);
    v1 ^= v2;
    v2 = rotl(v2, 32n);
  };

  const len = data.length;
  const full = len - (len % 8);
  for (let off = 0; off < full; off += 8) {
    const m = le64(data, off);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let b = BigInt(len & 0xff) << 56n;
  for (let i = len - 1; i >= full; i--) b |= BigInt(data[i]) << BigInt(8 * (i - full));
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

/** The uint64 as little-endian bytes (htole64() then memcpy in C). */
export function uint64LeBytes(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}
