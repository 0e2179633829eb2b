// extract_first_word() from systemd 252 (src/basic/extract-word.c), limited to the flag combinations the .link
// parsers use. Which flags a key uses decides whether quotes and backslashes mean anything in its value:
//   OriginalName=, MACAddress= (match)   -> no flags: quotes are literal, a backslash escapes the next char
//   Driver=, Type=, Kind=, Path=         -> UNQUOTE | RETAIN_ESCAPE: quotes group, backslashes kept for fnmatch
//   Property=                            -> UNQUOTE | CUNESCAPE: quotes group, C escapes decoded
//   KernelVersion= words                 -> UNQUOTE
//   KernelCommandLine= (the cmdline)     -> UNQUOTE | RELAX

export interface ExtractFlags {
  unquote?: boolean;
  retainEscape?: boolean;
  cunescape?: boolean;
  relax?: boolean;
}

const WHITESPACE = ' \t\n\r';

export type ExtractResult = { word: string; rest: string | null } | { word: null; rest: null } | { error: true };

function unhex(c: string | undefined): number {
  if (c === undefined) return -1;
  const v = parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? v : -1;
}

function unichar_is_valid(c: number): boolean {
  if (c >= 0x110000) return false;
  if ((c & 0xfffff800) === 0xd800) return false;
  if (c >= 0xfdd0 && c <= 0xfdef) return false;
  if ((c & 0xfffe) === 0xfffe) return false;
  return true;
}

/** cunescape_one(): returns [decoded text, consumed chars] or null for an invalid escape. */
export function cunescapeOne(s: string): [string, number] | null {
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
    '"': '"',
    "'": "'",
    s: ' ',
  };
  const c = s[0];
  if (c === undefined) return null;
  if (c in simple) return [simple[c], 1];
  if (c === 'x') {
    const a = unhex(s[1]);
    const b = unhex(s[2]);
    if (a < 0 || b < 0 || (a === 0 && b === 0)) return null;
    // A \x escape is a raw byte ("eight_bit"); as JS text we keep it as the latin1 char of that byte.
    return [String.fromCharCode((a << 4) | b), 3];
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    let v = 0;
    for (let i = 1; i <= n; i++) {
      const d = unhex(s[i]);
      if (d < 0) return null;
      v = v * 16 + d;
    }
    if (v === 0) return null;
    if (c === 'U' && !unichar_is_valid(v)) return null;
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
    return [String.fromCodePoint(v), n + 1];
  }
  if (c >= '0' && c <= '7') {
    const digits = [s[0], s[1], s[2]].map((d) => (d !== undefined && d >= '0' && d <= '7' ? d.charCodeAt(0) - 48 : -1));
    if (digits.some((d) => d < 0)) return null;
    const m = (digits[0] << 6) | (digits[1] << 3) | digits[2];
    if (m === 0 || m > 255) return null;
    return [String.fromCharCode(m), 3];
  }
  return null;
}

/** One word from the front of `p`. `rest` null means the input is used up (*p = NULL in C). */
export function extractFirstWord(p: string | null, flags: ExtractFlags = {}): ExtractResult {
  if (p === null) return { word: null, rest: null };
  let i = 0;
  while (i < p.length && WHITESPACE.includes(p[i])) i++;
  if (i >= p.length) return { word: null, rest: null };

  let s = '';
  let quote: string | null = null;
  let backslash = false;

  for (;;) {
    const c = p[i];
    if (backslash) {
      if (c === undefined) {
        if (flags.relax) return { word: s, rest: null };
        return { error: true };
      }
      if (flags.cunescape) {
        const r = cunescapeOne(p.slice(i));
        if (r === null) return { error: true };
        s += r[0];
        i += r[1] - 1;
      } else s += c;
      backslash = false;
      i++;
      continue;
    }
    if (quote !== null) {
      if (c === undefined) {
        if (flags.relax) return { word: s, rest: null };
        return { error: true };
      }
      if (c === quote) {
        quote = null;
        i++;
        continue;
      }
      if (c === '\\' && !flags.retainEscape) {
        backslash = true;
        i++;
        continue;
      }
      s += c;
      i++;
      continue;
    }
    if (c === undefined) return { word: s, rest: null };
    if ((c === "'" || c === '"') && flags.unquote) {
      quote = c;
      i++;
      continue;
    }
    if (c === '\\' && !flags.retainEscape) {
      backslash = true;
      i++;
      continue;
    }
    if (WHITESPACE.includes(c)) {
      while (i < p.length && WHITESPACE.includes(p[i])) i++;
      return { word: s, rest: i >= p.length ? null : p.slice(i) };
    }
    s += c;
    i++;
  }
}

/**
 * All words, the way the list parsers loop: words before a syntax error are kept (they were already consumed
 * into the list), the error itself ends the assignment.
 */
export function extractAllWords(value: string, flags: ExtractFlags = {}): { words: string[]; error: boolean } {
  const words: string[] = [];
  let rest: string | null = value;
  for (;;) {
    const r = extractFirstWord(rest, flags);
    if ('error' in r) return { words, error: true };
    if (r.word === null) return { words, error: false };
    words.push(r.word);
    rest = r.rest;
  }
}
