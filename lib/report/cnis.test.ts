import { describe, expect, it } from 'vitest';
import { CNI_FACTS, cniRecommendUpgrade, cniReleaseIsSafe, compareVersions } from './cnis';
import { CNI_KINDS } from './schema';

describe('the CNI table', () => {
  it('has a row for every kind the report can name', () => {
    expect(Object.keys(CNI_FACTS).sort()).toEqual([...CNI_KINDS].sort());
  });

  it.each([
    ['aws-vpc-cni', 'v1.20.0-eksbuild.1', false],
    ['aws-vpc-cni', 'v1.20.1-eksbuild.1', true],
    ['azure-cni', 'v1.4.41', false],
    ['azure-cni', 'v1.4.42', true],
    ['flannel', 'v0.22.2', false],
    ['flannel', 'v0.22.3', true],
    ['bridge', 'v1.1.1', false],
    ['bridge', 'v1.2.0', true],
    ['calico', 'v3.31.2', false],
    ['calico', 'v3.32.0', true],
    ['antrea', 'v1.7.1', false],
    ['antrea', 'v1.7.2', true],
    ['antrea', 'v1.8.0', false],
    ['antrea', 'v1.8.1', true],
    ['antrea', 'v1.9.0', false],
    ['antrea', 'v1.9.1', true],
    ['antrea', 'v1.10.0', true],
    ['antrea', 'v1.6.9', false],
  ] as const)('%s %s safe: %s', (kind, version, expected) => {
    expect(cniReleaseIsSafe(kind, version)).toBe(expected);
  });

  it('does not know without a version or a fixed release', () => {
    expect(cniReleaseIsSafe('aws-vpc-cni', null)).toBeNull();
    expect(cniReleaseIsSafe('spiderpool', '1.0.0')).toBeNull();
    expect(cniReleaseIsSafe('aws-vpc-cni', 'latest')).toBeNull();
  });

  it('recommends VPC CNI 1.20.5+ to 1.20.1-1.20.4 only', () => {
    expect(cniRecommendUpgrade('aws-vpc-cni', '1.20.4')).toBe(true);
    expect(cniRecommendUpgrade('aws-vpc-cni', '1.20.5')).toBe(false);
    expect(cniRecommendUpgrade('flannel', '0.1.0')).toBe(false);
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
  });
});
