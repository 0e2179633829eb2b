// extract_first_word(), fnmatch() and parse_hw_addr_full() edge cases that decide what a value means.
import { describe, expect, it } from 'vitest';
import { fnmatch } from './fnmatch';
import { formatHwAddr, parseHwAddr } from './hwaddr';
import { ifnameValid } from './keys';
import { extractAllWords } from './words';

describe('extractAllWords', () => {
  it('no flags: quotes are literal, a backslash escapes, a trailing backslash is an error after the earlier words', () => {
    expect(extractAllWords(`a "b c" d\\ e`)).toEqual({ words: ['a', '"b', 'c"', 'd e'], error: false });
    expect(extractAllWords('x y\\')).toEqual({ words: ['x'], error: true });
  });

  it('UNQUOTE|RETAIN_ESCAPE: quotes group, backslashes stay for fnmatch', () => {
    expect(extractAllWords(`"foo bar" 've'th a\\*`, { unquote: true, retainEscape: true })).toEqual({ words: ['foo bar', 'veth', 'a\\*'], error: false });
    expect(extractAllWords(`ok "open`, { unquote: true, retainEscape: true })).toEqual({ words: ['ok'], error: true });
  });

  it('UNQUOTE|CUNESCAPE decodes C escapes and rejects unknown ones', () => {
    expect(extractAllWords(`"A=a\\tb" B=\\x41\\s`, { unquote: true, cunescape: true })).toEqual({ words: ['A=a\tb', 'B=A '], error: false });
    expect(extractAllWords('A=\\q', { unquote: true, cunescape: true })).toEqual({ words: [], error: true });
  });

  it('RELAX keeps an unterminated quote', () => {
    expect(extractAllWords(`a "b c`, { unquote: true, relax: true })).toEqual({ words: ['a', 'b c'], error: false });
  });
});

describe('fnmatch (glibc, flags 0)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['eni*', 'eni76bbb1eb541', true],
    ['eni*', 'eth0', false],
    ['*', '', true],
    ['e?i*', 'eni1', true],
    ['eni[0-9a-f]*', 'enia', true],
    ['eni[!0-9]*', 'eni1', false],
    ['eni[^0-9]*', 'enix', true],
    ['[]x]', ']', true],
    ['[a-]', '-', true],
    ['[[:digit:]]x', '5x', true],
    ['[[:bogus:]]', 'a', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['a\\', 'a\\', false],
    ['[ab', '[ab', true],
    ['*/*', 'a/b', true],
    ['.*', '.hidden', true],
  ];
  it.each(cases)('%s vs %s -> %s', (p, s, want) => expect(fnmatch(p, s)).toBe(want));

  it('FNM_CASEFOLD for Host=', () => {
    expect(fnmatch('IP-10-*', 'ip-10-0-1-23', { casefold: true })).toBe(true);
    expect(fnmatch('IP-10-*', 'ip-10-0-1-23')).toBe(false);
  });
});

describe('parseHwAddr (parse_hw_addr_full, expected_len 0)', () => {
  it('reads colon, dash, dot and one-digit forms of a MAC', () => {
    expect(formatHwAddr(parseHwAddr('02:AB:cd:0:1:ff')!)).toBe('02:ab:cd:00:01:ff');
    expect(formatHwAddr(parseHwAddr('02-ab-cd-00-01-ff')!)).toBe('02:ab:cd:00:01:ff');
    expect(formatHwAddr(parseHwAddr('02ab.cd00.01ff')!)).toBe('02:ab:cd:00:01:ff');
  });

  it('takes IPv4/IPv6 literals as 4/16-byte addresses, which never equal a MAC', () => {
    expect(parseHwAddr('192.168.0.1')).toEqual({ hex: 'c0a80001', length: 4 });
    expect(parseHwAddr('fe80::1')?.length).toBe(16);
  });

  it('rejects other lengths, bad digits, trailing separators', () => {
    for (const bad of ['02:ab:cd', '02:ab:cd:00:01:ff:', 'zz:ab:cd:00:01:ff', '02:abc:cd:00:01:ff', '', 'veth']) expect(parseHwAddr(bad), bad).toBeNull();
  });
});

describe('ifnameValid (ifname_valid_full)', () => {
  it('accepts globs, rejects numeric/ifindex-like names, long names, slashes, all/default', () => {
    expect(ifnameValid('eni*')).toBe(true);
    expect(ifnameValid('!x')).toBe(true);
    expect(ifnameValid('-5')).toBe(true);
    for (const bad of ['12345', '0x10', '010', 'a/b', 'a:b', 'a%d', 'all', 'default', 'x'.repeat(16), '', 'a b']) expect(ifnameValid(bad), bad).toBe(false);
  });
});
