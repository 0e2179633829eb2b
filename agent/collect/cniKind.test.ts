import { describe, expect, it } from 'vitest';
import { cniFromConfigText, cniFromInterfaces, firstConfigName } from './cniKind';

const conflist = (...types: string[]) => JSON.stringify({ cniVersion: '1.0.0', name: 'k8s', plugins: types.map((type) => ({ type })) });

describe('cniFromConfigText', () => {
  it.each([
    ['aws-cni', 'aws-vpc-cni'],
    ['azure-vnet', 'azure-cni'],
    ['calico', 'calico'],
    ['cilium-cni', 'cilium'],
    ['flannel', 'flannel'],
    ['bridge', 'bridge'],
    ['antrea', 'antrea'],
    ['weave-net', 'unknown'],
  ])('a conflist whose first plugin is %s is %s', (type, kind) => {
    expect(cniFromConfigText(conflist(type, 'portmap'))).toEqual({ kind, pluginType: type });
  });

  it('goes by the first plugin, not a later one', () => {
    expect(cniFromConfigText(conflist('portmap', 'calico'))).toEqual({ kind: 'unknown', pluginType: 'portmap' });
  });

  it('reads a single-plugin .conf', () => {
    expect(cniFromConfigText(JSON.stringify({ name: 'n', type: 'bridge' }))).toEqual({ kind: 'bridge', pluginType: 'bridge' });
  });

  it('calls a chain with the Spiderpool coordinator spiderpool, wherever it sits', () => {
    expect(cniFromConfigText(conflist('macvlan', 'coordinator'))).toEqual({ kind: 'spiderpool', pluginType: 'macvlan' });
  });

  it('names nothing for text that is not a config', () => {
    expect(cniFromConfigText('{')).toBeNull();
    expect(cniFromConfigText('[]')).toBeNull();
    expect(cniFromConfigText(JSON.stringify({ plugins: [{}] }))).toBeNull();
  });
});

describe('firstConfigName', () => {
  it('is the first .conflist, .conf or .json by name, hidden files aside', () => {
    expect(firstConfigName(['20-b.conflist', '10-a.json', '.01-tmp.conf', '00-readme.md', '15-c.conf'])).toBe('10-a.json');
    expect(firstConfigName(['readme'])).toBeNull();
  });
});

describe('cniFromInterfaces', () => {
  it('tells the CNIs apart by their own devices, most specific first', () => {
    expect(cniFromInterfaces(['lo', 'cilium_host', 'cilium_net'], [])).toBe('cilium');
    expect(cniFromInterfaces(['antrea-gw0', 'genev_sys_6081'], [])).toBe('antrea');
    // Flannel makes cni0 too: flannel.1 wins.
    expect(cniFromInterfaces(['cni0', 'flannel.1'], ['veth1a2b3c4d'])).toBe('flannel');
    expect(cniFromInterfaces(['cni0'], ['veth1a2b3c4d'])).toBe('bridge');
    expect(cniFromInterfaces(['vxlan.calico'], [])).toBe('calico');
    expect(cniFromInterfaces([], ['cali12345678901'])).toBe('calico');
    expect(cniFromInterfaces([], ['azv1234abcd'])).toBe('azure-cni');
    expect(cniFromInterfaces([], ['eni45feae23a30'])).toBe('aws-vpc-cni');
    expect(cniFromInterfaces(['ens5'], ['veth0'])).toBe('unknown');
  });
});
