import { describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures.testutil';
import { parseHostBatch } from './hostNet';
import { IpOutputError } from './ipJson';

describe('parseHostBatch', () => {
  it('reads veths, the nsid map and routes from one batch (fixture A)', () => {
    const out = ['A/host_ip-j-d-link-type-veth.json', 'A/host_ip-j-netns-list-id.json', 'A/host_ip-j-route.json'].map((f) => fixtureText(f).trim()).join('\n');
    const h = parseHostBatch(out + '\n');
    expect(h.veths.map((v) => v.ifname)).toEqual(['eni45feae23a30']);
    expect(h.nsids.get(0)).toBe('cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a');
    expect(h.routes.filter((r) => r.dev === 'eni45feae23a30').map((r) => r.dst)).toEqual(['10.0.97.30']);
  });

  it('insists on one document per command', () => {
    expect(() => parseHostBatch(fixtureText('A/host_ip-j-d-link-type-veth.json'))).toThrow(IpOutputError);
  });
});
