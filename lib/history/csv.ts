// CSV as RFC 4180 has it: CRLF line ends, a header row, fields quoted when they hold a comma, quote, CR or LF,
// quotes doubled. The one CSV writer for the server's exports and the UI's. Pure, and safe in the browser.
//
// Exports get opened in spreadsheets, and some of their text comes from nodes (file contents, diffs, pod names):
// a cell starting with = + - @ (or a tab or CR) would be run as a formula. OWASP's rule for CSV injection: such a
// text cell gets a leading single quote, which spreadsheets show as text and do not evaluate. Numbers and booleans
// are written as they are: they come from our own types, and "-3" as a number is a number, not a formula.

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet would evaluate, made inert with a leading "'" (OWASP CSV injection). */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvValue;
}

export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
