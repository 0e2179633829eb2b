import { describe, expect, it } from 'vitest';
import { binaryIsValidUtf8, logicalLines, LONG_LINE_MAX, physicalLines } from './lines';

const bin = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('latin1');

describe('physicalLines (read_line_full)', () => {
  it('treats \\n, \\r, \\r\\n, \\n\\r and NUL as line ends, a repeated marker as an empty line', () => {
    expect(physicalLines('a\nb\r\nc\rd\n\re')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(physicalLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(physicalLines('a\r\rb')).toEqual(['a', '', 'b']);
    expect(physicalLines('a\0b\n\0c')).toEqual(['a', 'b', 'c']);
    expect(physicalLines('a\n')).toEqual(['a']);
    expect(physicalLines('')).toEqual([]);
  });

  it('fails on a line of LONG_LINE_MAX characters', () => {
    expect(physicalLines('x'.repeat(LONG_LINE_MAX - 1) + '\n')).toHaveLength(1);
    expect(physicalLines('x'.repeat(LONG_LINE_MAX))).toEqual({ tooLongAt: 1 });
  });
});

describe('logicalLines (config_parse loop)', () => {
  it('drops comment lines, joins continuations with a space, keeps the last line number', () => {
    const r = logicalLines(bin('# c\n ; c\nA=1 \\\n# inside\n  2\\\n3\nB=4'));
    expect(r).toEqual({ ok: true, lines: [{ line: 6, text: 'A=1    2 3' }, { line: 7, text: 'B=4' }] });
  });

  it('an escaped backslash does not continue; a continuation at EOF is parsed as the next line', () => {
    expect(logicalLines(bin('A=x\\\\\nB=y\\'))).toEqual({ ok: true, lines: [{ line: 1, text: 'A=x\\\\' }, { line: 3, text: 'B=y ' }] });
  });

  it('strips a UTF-8 BOM once; a BOM line is not a comment', () => {
    const r = logicalLines(bin('\ufeff[Match]\n\ufeff#x'));
    expect(r.ok && r.lines.map((l) => l.text)).toEqual(['[Match]', bin('\ufeff#x')]);
  });
});

describe('binaryIsValidUtf8 (utf8_is_valid)', () => {
  it('accepts UTF-8, rejects broken sequences, surrogates and non-characters', () => {
    expect(binaryIsValidUtf8(bin('café'))).toBe(true);
    expect(binaryIsValidUtf8(bin(Buffer.from([0x63, 0xe9])))).toBe(false);
    expect(binaryIsValidUtf8(bin(Buffer.from([0xed, 0xa0, 0x80])))).toBe(false);
    expect(binaryIsValidUtf8(bin('\ufffe'))).toBe(false);
    expect(binaryIsValidUtf8(bin('\ufdd0'))).toBe(false);
  });
});
