import { describe, expect, it } from 'vitest';
import { csvField, neutraliseFormula, toCsv } from './csv';

describe('CSV (RFC 4180)', () => {
  it('leaves plain fields alone and writes null/undefined as empty', () => {
    expect(csvField('eni0123456789a')).toBe('eni0123456789a');
    expect(csvField(42)).toBe('42');
    expect(csvField(false)).toBe('false');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes fields with commas, quotes, CR or LF, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it.each(['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\r=1+1'])(
    'makes a text cell starting like a formula inert with a leading quote: %j',
    (text) => {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
      const field = csvField(text);
      const unquoted = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
      expect(unquoted).toBe(`'${text}`);
    },
  );

  it('quotes a neutralised cell as any other: the leading quote goes inside', () => {
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField('=A1&"x"')).toBe(`"'=A1&""x"""`);
  });

  it('leaves text that only contains those characters later, and numbers and booleans, alone', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('ip-10-0-0-1')).toBe('ip-10-0-0-1');
    expect(csvField(' =1')).toBe(' =1');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(true)).toBe('true');
    expect(csvField('')).toBe('');
  });

  it('neutralises every row and the header alike', () => {
    const text = toCsv([{ header: '=head', value: (r: string) => r }], ['@x', 'ok']);
    expect(text).toBe(`'=head\r\n'@x\r\nok\r\n`);
  });

  it('writes a header row and CRLF-terminated records', () => {
    const text = toCsv(
      [
        { header: 'id', value: (r: { id: number; note: string | null }) => r.id },
        { header: 'note, quoted', value: (r) => r.note },
      ],
      [
        { id: 1, note: '@@ -1 +1 @@\n-old\n+new\n' },
        { id: 2, note: null },
      ],
    );
    // A unified diff starts with "@@", a formula start: it is written with the leading quote.
    expect(text).toBe(`id,"note, quoted"\r\n1,"'@@ -1 +1 @@\n-old\n+new\n"\r\n2,\r\n`);
  });

  it('round-trips through a strict RFC 4180 reader', () => {
    const rows = [['plain', 'with,comma', 'with "quotes"', 'multi\r\nline', '']];
    const text = toCsv(
      rows[0].map((_, i) => ({ header: `c${i}`, value: (r: string[]) => r[i] })),
      rows,
    );
    expect(parseCsv(text)).toEqual([['c0', 'c1', 'c2', 'c3', 'c4'], ...rows]);
  });
});

/** A small RFC 4180 reader, to check the writer from the other side. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  return records;
}
