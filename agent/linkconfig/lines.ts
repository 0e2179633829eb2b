// How systemd 252's config_parse() (src/shared/conf-parser.c) turns file bytes into logical lines, before any
// section or key is looked at. Everything here works on a "binary string" (one JS char per byte, latin1) so
// that byte-level rules (NUL terminates a line, invalid UTF-8 makes the file fatal) can be applied exactly.

/** LONG_LINE_MAX: a physical line (or a joined continuation) this long makes config_parse() fail. */
export const LONG_LINE_MAX = 1 << 20;

const WHITESPACE = ' \t\n\r';
const COMMENTS = '#;';
const UTF8_BOM = '\xef\xbb\xbf';

export interface LogicalLine {
  /** Line number udev reports: the last physical line of a continued line. */
  line: number;
  /** The joined text, still a binary string; parse_line() strips and validates it. */
  text: string;
}

export type LinesResult = { ok: true; lines: LogicalLine[] } | { ok: false; line: number; message: string };

const EOL_NONE = 0;
const EOL_TEN = 1;
const EOL_THIRTEEN = 2;
const EOL_ZERO = 4;

function categorize(c: string): number {
  if (c === '\n') return EOL_TEN;
  if (c === '\r') return EOL_THIRTEEN;
  if (c === '\0') return EOL_ZERO;
  return EOL_NONE;
}

/**
 * read_line_full(): \n, \r, \0 and their combinations (\r\n, \n\r, \n\0, \r\n\0 ...) end a line; a marker type
 * seen twice (\n\n) starts a new, empty line. Returns null when a line reaches LONG_LINE_MAX (-ENOBUFS).
 */
export function physicalLines(bin: string): string[] | { tooLongAt: number } {
  const out: string[] = [];
  let i = 0;
  while (i < bin.length) {
    let prev = EOL_NONE;
    const start = i;
    let end = -1;
    for (;;) {
      if (end === -1 && i - start >= LONG_LINE_MAX) return { tooLongAt: out.length + 1 };
      if (i >= bin.length) break;
      const eol = categorize(bin[i]);
      if ((prev & EOL_ZERO) !== 0 || (eol === EOL_NONE && prev !== EOL_NONE) || (eol !== EOL_NONE && (prev & eol) !== 0))
        break;
      if (eol !== EOL_NONE) {
        if (end === -1) end = i;
        prev |= eol;
      }
      i++;
    }
    out.push(bin.slice(start, end === -1 ? i : end));
  }
  return out;
}

function skipLeading(s: string, chars: string): string {
  let k = 0;
  while (k < s.length && chars.includes(s[k])) k++;
  return s.slice(k);
}

/**
 * config_parse()'s loop: comment lines are dropped before anything else (even in the middle of a continuation),
 * a UTF-8 BOM is dropped from the first line that has one, and a line ending in an unescaped backslash is joined
 * with the next, the backslash becoming a space.
 */
export function logicalLines(bin: string): LinesResult {
  const physical = physicalLines(bin);
  if (!Array.isArray(physical)) return { ok: false, line: physical.tooLongAt, message: 'Line too long' };

  const lines: LogicalLine[] = [];
  let continuation: string | null = null;
  let bomSeen = false;
  let line = 0;

  for (const buf of physical) {
    line++;
    const lead = skipLeading(buf, WHITESPACE);
    if (lead.length > 0 && COMMENTS.includes(lead[0])) continue;

    let l = buf;
    if (!bomSeen && buf.startsWith(UTF8_BOM)) {
      l = buf.slice(UTF8_BOM.length);
      bomSeen = true;
    }

    let p: string;
    if (continuation !== null) {
      if (continuation.length + l.length > LONG_LINE_MAX) return { ok: false, line, message: 'Continuation line too long' };
      p = continuation + l;
    } else p = l;

    let escaped = false;
    for (let k = 0; k < p.length; k++) {
      if (escaped) escaped = false;
      else if (p[k] === '\\') escaped = true;
    }

    if (escaped) {
      continuation = p.slice(0, -1) + ' ';
      continue;
    }

    lines.push({ line, text: p });
    continuation = null;
  }

  if (continuation !== null) lines.push({ line: line + 1, text: continuation });
  return { ok: true, lines };
}

/** strstrip(): WHITESPACE off both ends. */
export function strstrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && WHITESPACE.includes(s[a])) a++;
  while (b > a && WHITESPACE.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/**
 * utf8_is_valid() as systemd defines it: well-formed UTF-8 without surrogates, code points above U+10FFFF,
 * overlong forms, or the non-characters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF (unichar_is_valid()).
 */
export function binaryIsValidUtf8(bin: string): boolean {
  const bytes = Buffer.from(bin, 'latin1');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return false;
  }
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xfdd0 && c <= 0xfdef) return false;
    if ((c & 0xfffe) === 0xfffe) return false;
  }
  return true;
}

/** Decodes a binary string that passed binaryIsValidUtf8(). */
export function binaryToText(bin: string): string {
  return Buffer.from(bin, 'latin1').toString('utf8');
}
