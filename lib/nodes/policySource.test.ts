import { describe, expect, it } from 'vitest';
import { describePolicySource, policySourceOf, shortPolicySource } from './policySource';

const LINK = '/usr/lib/systemd/network/99-default.link';
const D1 = '/etc/systemd/network/99-default.link.d/10-none.conf';
const D2 = '/etc/systemd/network/99-default.link.d/20-mtu.conf';

describe('policySourceOf', () => {
  it("takes the agent's answer when the report carries it", () => {
    expect(policySourceOf({ linkFile: LINK, dropIns: [D1], macAddressPolicy: 'none', policySource: D1 })).toBe(D1);
    expect(policySourceOf({ linkFile: LINK, dropIns: [], macAddressPolicy: 'none', policySource: null }, [{ path: LINK, macAddressPolicy: 'persistent' }])).toBeNull();
  });

  it('reads older reports as udev does: the last drop-in that sets it, else the .link file, else none', () => {
    const files = [
      { path: LINK, macAddressPolicy: 'persistent' },
      { path: D1, macAddressPolicy: 'none' },
      { path: D2, macAddressPolicy: null },
    ];
    expect(policySourceOf({ linkFile: LINK, dropIns: [D1, D2], macAddressPolicy: 'none' }, files)).toBe(D1);
    expect(policySourceOf({ linkFile: LINK, dropIns: [D2], macAddressPolicy: 'persistent' }, files)).toBe(LINK);
    expect(policySourceOf({ linkFile: LINK, dropIns: [], macAddressPolicy: 'none' }, [{ path: LINK, macAddressPolicy: null }])).toBeNull();
    expect(policySourceOf({ linkFile: null, dropIns: [], macAddressPolicy: null }, files)).toBeNull();
  });
});

describe('describing it', () => {
  it('names the drop-in and the file it extends', () => {
    expect(describePolicySource({ macAddressPolicy: 'none', linkFile: LINK, source: D1 })).toBe(`MACAddressPolicy=none from ${D1} (drop-in for ${LINK})`);
    expect(shortPolicySource({ linkFile: LINK, source: D1 })).toBe('10-none.conf, drop-in for 99-default.link');
  });
  it('names the .link file when it sets the value itself, and the default when nothing does', () => {
    expect(describePolicySource({ macAddressPolicy: 'persistent', linkFile: LINK, source: LINK })).toBe(`MACAddressPolicy=persistent from ${LINK}`);
    expect(shortPolicySource({ linkFile: LINK, source: LINK })).toBe('99-default.link');
    expect(describePolicySource({ macAddressPolicy: 'none', linkFile: LINK, source: null })).toBe(`MACAddressPolicy unset in ${LINK} and its drop-ins (udev's default: none)`);
    expect(describePolicySource({ macAddressPolicy: null, linkFile: null, source: null })).toBe('no .link file matches veths');
  });
});
