import { describe, expect, it } from 'vitest';
import { testCondition } from './conditions';
import { FIXTURE_HOST } from './testSupport/tree';
import type { ConditionSpec, HostFacts } from './types';
import { parseCompareOperator, strverscmpImproved } from './versionCompare';

const host: HostFacts = { ...FIXTURE_HOST };
const cond = (type: ConditionSpec['type'], parameter: string, negate = false): ConditionSpec => ({ type, parameter, negate });
const test = (c: ConditionSpec, h: HostFacts = host, v = 252) => testCondition(c, h, v).result;

describe('strverscmpImproved', () => {
  it('orders versions like systemd (the documented example list)', () => {
    const ordered = ['122.1', '123~rc1-1', '123', '123-a', '123-a.1', '123-1', '123-1.1', '123^post1', '123.a-1', '123.1-1', '123a-1', '124-1'];
    for (let i = 0; i + 1 < ordered.length; i++) expect(strverscmpImproved(ordered[i], ordered[i + 1]), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
    expect(strverscmpImproved('6.1.0-41-amd64', '6.1.0-041-amd64')).toBe(0);
    expect(strverscmpImproved('6.10', '6.9')).toBe(1);
  });

  it('parses operators with the longest prefix first', () => {
    expect(parseCompareOperator('>=6.1', { allowFnmatch: true, equalByString: true })).toEqual({ op: 'ge', rest: '6.1' });
    expect(parseCompareOperator('!=6.1', { allowFnmatch: true, equalByString: true })).toEqual({ op: 'string-unequal', rest: '6.1' });
    expect(parseCompareOperator('!=6.1', { allowFnmatch: true })).toEqual({ op: 'ne', rest: '6.1' });
    expect(parseCompareOperator('$=6.*', { allowFnmatch: true })).toEqual({ op: 'fnmatch-equal', rest: '6.*' });
    expect(parseCompareOperator('6.1', { allowFnmatch: true })).toBeNull();
  });
});

describe('testCondition', () => {
  it('Host= globs the hostname case-insensitively or compares a machine ID', () => {
    expect(test(cond('Host', 'IP-10-*'))).toBe(true);
    expect(test(cond('Host', 'ip-10-*', true))).toBe(false);
    expect(test(cond('Host', '3d1219c7-c4c5-404a-aa1f-6d2a48adfda4'))).toBe(true);
    expect(test(cond('Host', '00000000000000000000000000000001'))).toBe(false);
    // No machine ID: udev's test errors, and an error fails even a negated condition.
    expect(test(cond('Host', '00000000000000000000000000000001', true), { ...host, machineId: null })).toBeNull();
  });

  it('Virtualization= by boolean, category, id and private-users', () => {
    expect(test(cond('Virtualization', 'yes'))).toBe(true);
    expect(test(cond('Virtualization', 'vm'))).toBe(true);
    expect(test(cond('Virtualization', 'container'))).toBe(false);
    expect(test(cond('Virtualization', 'amazon'))).toBe(true);
    expect(test(cond('Virtualization', 'kvm'))).toBe(false);
    expect(test(cond('Virtualization', 'no'), { ...host, virtualization: 'none' })).toBe(true);
    expect(test(cond('Virtualization', 'docker'), { ...host, virtualization: 'docker' })).toBe(true);
    expect(test(cond('Virtualization', 'private-users'))).toBe(false);
  });

  it('KernelCommandLine= matches whole words, with or without a value', () => {
    expect(test(cond('KernelCommandLine', 'net.ifnames'))).toBe(true);
    expect(test(cond('KernelCommandLine', 'net.ifnames=1'))).toBe(true);
    expect(test(cond('KernelCommandLine', 'net.ifnames=0'))).toBe(false);
    expect(test(cond('KernelCommandLine', 'net'))).toBe(false);
    expect(test(cond('KernelCommandLine', 'quiet', true))).toBe(true);
  });

  it('KernelVersion=: 252 compares = as strings and globs without an operator; older versions compare = as versions', () => {
    expect(test(cond('KernelVersion', '>=5.10 <6.2'))).toBe(true);
    expect(test(cond('KernelVersion', '>= 6.2'))).toBe(false);
    expect(test(cond('KernelVersion', '6.1.*'))).toBe(true);
    expect(test(cond('KernelVersion', '=6.1.0-041-amd64'))).toBe(false);
    expect(test(cond('KernelVersion', '=6.1.0-041-amd64'), host, 249)).toBe(true);
    expect(test(cond('KernelVersion', '>=5 >= 6'))).toBeNull();
  });

  it('Architecture=, Credential=, Firmware=', () => {
    expect(test(cond('Architecture', 'x86-64'))).toBe(true);
    expect(test(cond('Architecture', 'arm64'))).toBe(false);
    expect(test(cond('Architecture', 'native'))).toBe(true);
    expect(test(cond('Credential', 'anything'))).toBe(false);
    expect(test(cond('Firmware', 'uefi'))).toBe(true);
    expect(test(cond('Firmware', 'device-tree'))).toBe(false);
    expect(test(cond('Firmware', 'smbios-field(sys_vendor = "Amazon EC2")'))).toBe(true);
    expect(test(cond('Firmware', 'smbios-field(product_name $= m5.*)'))).toBe(true);
    expect(test(cond('Firmware', 'smbios-field(board_name = x)'))).toBe(false);
  });

  it('names the host fact it could not evaluate', () => {
    expect(testCondition(cond('KernelCommandLine', 'x'), { ...host, kernelCommandLine: null }, 252)).toEqual({ result: null, unknownFact: 'kernelCommandLine' });
  });
});
