import { describe, expect, it } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { encode, negotiateEncoding } from './compress';

describe('negotiateEncoding', () => {
  it('prefers br, then gzip, else identity', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip, deflate')).toBe('gzip');
    expect(negotiateEncoding('deflate')).toBe('identity');
    expect(negotiateEncoding(undefined)).toBe('identity');
    expect(negotiateEncoding('')).toBe('identity');
  });
  it('honours q=0 and the wildcard', () => {
    expect(negotiateEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip;q=0')).toBe('identity');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*;q=0, identity')).toBe('identity');
    expect(negotiateEncoding('GZIP ; Q=1')).toBe('gzip');
  });
});

describe('encode', () => {
  const body = Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ name: `node-${i}`, state: 'healthy', strip: new Array(24).fill(0) }))));
  it('round-trips through each coding and shrinks JSON', async () => {
    const br = await encode(body, 'br');
    const gz = await encode(body, 'gzip');
    expect(brotliDecompressSync(br).equals(body)).toBe(true);
    expect(gunzipSync(gz).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length / 10);
    expect(gz.length).toBeLessThan(body.length / 10);
    expect(await encode(body, 'identity')).toBe(body);
  });
});
