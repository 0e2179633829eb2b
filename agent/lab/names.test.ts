import { describe, expect, it } from 'vitest';
import { hostVethName, labPodIP, podNetnsName, randomLocalMac } from './names';

describe('lab naming follows the VPC CNI', () => {
  // Expected values from aws/amazon-vpc-cni-k8s pkg/networkutils/names_test.go.
  it('hashes "<namespace>.<pod>" like GeneratePodHostVethName', () => {
    expect(hostVethName('eni', 'kube-system', 'coredns-57ff979f67-qqbdh')).toBe('enib5faff8a083');
    expect(hostVethName('vlan', 'kube-system', 'coredns-57ff979f67-qqbdh')).toBe('vlanb5faff8a083');
    expect(hostVethName('eni', 'default', 'sample-pod')).toBe('enicc21c2d7785');
    expect(hostVethName('eni', 'default', 'sample-pod', 1)).not.toBe('enicc21c2d7785');
  });

  it('makes containerd-style namespace names and private /32s', () => {
    expect(podNetnsName()).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(labPodIP(0)).toBe('10.244.0.2');
    expect(labPodIP(109)).toBe('10.244.0.111');
    expect(labPodIP(250)).toBe('10.244.1.2');
    expect(() => labPodIP(-1)).toThrow(RangeError);
  });

  it('generates locally administered unicast MACs like CNI v1.20.1', () => {
    for (let i = 0; i < 50; i++) {
      const first = parseInt(randomLocalMac().slice(0, 2), 16);
      expect(first & 2).toBe(2);
      expect(first & 1).toBe(0);
    }
  });
});
