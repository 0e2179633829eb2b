// VETHWATCH_TRUSTED_PROXY as a list of addresses and CIDRs; the old on/off values refused at start-up.
import { describe, expect, it } from 'vitest';
import { PEER_ADDRESS_HEADER } from '../http/peer';
import { fromTrustedProxy, isTrustedAddress, parseTrustedProxy } from './trustedProxy';

describe('parseTrustedProxy', () => {
  it('takes addresses and CIDRs of both families', () => {
    const p = parseTrustedProxy(' 10.0.0.5, 10.1.0.0/16 ,fd00::/8, ::1 ');
    expect(p!.entries).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', '::1']);
    for (const yes of ['10.0.0.5', '10.1.255.3', 'fd12::7', '::1', '::ffff:10.0.0.5']) expect(isTrustedAddress(p, yes), yes).toBe(true);
    for (const no of ['10.0.0.6', '10.2.0.1', 'fe80::1', '127.0.0.1', 'not-an-ip', '']) expect(isTrustedAddress(p, no), no).toBe(false);
    expect(isTrustedAddress(p, null)).toBe(false);
    expect(parseTrustedProxy(undefined)).toBeNull();
    expect(parseTrustedProxy('  ')).toBeNull();
    expect(isTrustedAddress(null, '10.0.0.5')).toBe(false);
  });

  it.each(['1', 'true', 'TRUE', 'yes', 'on', '0', 'false', 'off'])('refuses the old value %j and says to list addresses', (v) => {
    expect(() => parseTrustedProxy(v)).toThrow(/no longer switches proxy trust on or off: list the proxy's addresses/);
  });

  it.each(['proxy.example.com', '10.0.0.0/33', '10.0.0.0/x', '10.0.0.1,', '::1/129', '300.1.1.1'])('refuses %j', (v) => {
    expect(() => parseTrustedProxy(v)).toThrow(/list the proxy's addresses/);
  });

  it('trusts a request only by the peer header the server sets', () => {
    const p = parseTrustedProxy('10.0.0.5');
    expect(fromTrustedProxy(new Headers({ [PEER_ADDRESS_HEADER]: '10.0.0.5' }), p)).toBe(true);
    expect(fromTrustedProxy(new Headers({ 'x-forwarded-for': '10.0.0.5' }), p)).toBe(false);
    expect(fromTrustedProxy(new Headers(), p)).toBe(false);
  });
});
