import { describe, expect, it } from 'vitest';
import { basename, formatAddrAssignType, formatAge, formatDuration, formatTimestamp, plural, shortSha } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [12.9, '12 s'],
    [59, '59 s'],
    [60, '1 min'],
    [65, '1 min 5 s'],
    [599, '9 min 59 s'],
    [600, '10 min'],
    [3599, '59 min'],
    [3600, '1 h'],
    [3600 + 12 * 60 + 30, '1 h 12 min'],
    [86400, '1 d'],
    [2 * 86400 + 4 * 3600 + 59, '2 d 4 h'],
  ])('%s seconds -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('never prints a negative age (clock skew between agent and server)', () => {
    expect(formatDuration(-5)).toBe('0 s');
  });
});

describe('formatAge', () => {
  it('says "never" for a node without a report', () => {
    expect(formatAge(null)).toBe('never');
    expect(formatAge(12)).toBe('12 s ago');
  });
});

describe('formatTimestamp', () => {
  it('prints UTC with seconds whatever the offset of the input', () => {
    expect(formatTimestamp('2026-11-26T15:03:12.456+01:00')).toBe('2026-11-26 14:03:12 UTC');
  });
  it('passes through what it cannot parse rather than printing "Invalid Date"', () => {
    expect(formatTimestamp('yesterday')).toBe('yesterday');
  });
});

describe('small helpers', () => {
  it('names addr_assign_type values', () => {
    expect(formatAddrAssignType(1)).toBe('1 (random)');
    expect(formatAddrAssignType(3)).toBe('3 (set by userspace)');
    expect(formatAddrAssignType(null)).toBe('unknown');
  });
  it('shortens, splits and counts', () => {
    expect(shortSha('a'.repeat(64))).toBe('a'.repeat(12));
    expect(basename('/usr/lib/systemd/network/99-default.link')).toBe('99-default.link');
    expect(plural(1, 'veth')).toBe('1 veth');
    expect(plural(3, 'veth')).toBe('3 veths');
  });
});
