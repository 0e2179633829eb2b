// glibc fnmatch(3) as systemd calls it for .link matching: flags 0 (no FNM_PATHNAME, FNM_PERIOD or
// FNM_NOESCAPE, so '*' also matches '/' and a leading '.'), plus FNM_CASEFOLD for Host=. Character classes,
// ranges, '!'/'^' negation, a leading ']' in a set, backslash escapes (also inside sets), an unterminated '['
// matching itself, and a trailing backslash that never matches all behave as in glibc's internal_fnmatch().

export interface FnmatchOptions {
  casefold?: boolean;
}

const CLASSES: Record<string, (c: string) => boolean> = {
  alnum: (c) => /^[A-Za-z0-9]$/.test(c),
  alpha: (c) => /^[A-Za-z]$/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => c >= '0' && c <= '9',
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127,
  lower: (c) => c >= 'a' && c <= 'z',
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) < 127,
  punct: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127 && !/^[A-Za-z0-9]$/.test(c),
  space: (c) => ' \t\n\r\f\v'.includes(c),
  upper: (c) => c >= 'A' && c <= 'Z',
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

type Bracket =
  | { kind: 'set'; end: number; matches: (c: string) => boolean }
  | { kind: 'literal' } // unterminated: '[' is an ordinary character
  | { kind: 'nomatch' }; // ill-formed in a way glibc answers FNM_NOMATCH

function fold(c: string, casefold: boolean): string {
  return casefold ? c.toLowerCase() : c;
}

function parseBracket(pat: readonly string[], start: number, casefold: boolean): Bracket {
  let p = start + 1;
  let negate = false;
  if (pat[p] === '!' || pat[p] === '^') {
    negate = true;
    p++;
  }
  const tests: Array<(c: string) => boolean> = [];
  let first = true;
  for (;;) {
    if (p >= pat.length) return { kind: 'literal' };
    const c = pat[p];
    if (c === ']' && !first) {
      p++;
      break;
    }
    first = false;

    if (c === '[' && pat[p + 1] === ':') {
      // A class name is lower-case letters up to ":]"; anything else makes the '[' an ordinary member.
      let q = p + 2;
      let name = '';
      let closed = false;
      while (q < pat.length) {
        const d = pat[q];
        if (d === ':' && pat[q + 1] === ']') {
          closed = true;
          break;
        }
        if (d < 'a' || d >= 'z') break;
        name += d;
        q++;
      }
      if (closed) {
        const test = CLASSES[name];
        if (!test) return { kind: 'nomatch' };
        tests.push(casefold && (name === 'upper' || name === 'lower') ? (x) => CLASSES.alpha(x) : test);
        p = q + 2;
        continue;
      }
    }

    let lo: string;
    if (c === '\\') {
      if (p + 1 >= pat.length) return { kind: 'nomatch' };
      lo = pat[p + 1];
      p += 2;
    } else if (c === '[' && (pat[p + 1] === '.' || pat[p + 1] === '=')) {
      // [.x.] and [=x=]: a single collating element / equivalence class; in the C locale that is the char itself.
      const delim = pat[p + 1];
      if (p + 4 >= pat.length || pat[p + 3] !== delim || pat[p + 4] !== ']') return { kind: 'nomatch' };
      lo = pat[p + 2];
      p += 5;
    } else {
      lo = c;
      p++;
    }

    if (pat[p] === '-' && p + 1 < pat.length && pat[p + 1] !== ']') {
      let hi = pat[p + 1];
      p += 2;
      if (hi === '\\') {
        if (p >= pat.length) return { kind: 'nomatch' };
        hi = pat[p];
        p++;
      }
      const l = fold(lo, casefold);
      const h = fold(hi, casefold);
      tests.push((x) => {
        const f = fold(x, casefold);
        return f >= l && f <= h;
      });
    } else {
      const l = fold(lo, casefold);
      tests.push((x) => fold(x, casefold) === l);
    }
  }
  const end = p;
  return { kind: 'set', end, matches: (x) => tests.some((t) => t(x)) !== negate };
}

export function fnmatch(pattern: string, str: string, opts: FnmatchOptions = {}): boolean {
  const casefold = opts.casefold === true;
  // Indices are in code points, so a non-ASCII character is one '?' like in a UTF-8 locale.
  const patStr = [...pattern];
  const s = [...str];
  const memo = new Map<number, boolean>();

  const go = (pi: number, si: number): boolean => {
    const key = pi * (s.length + 1) + si;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const r = step(pi, si);
    memo.set(key, r);
    return r;
  };

  const step = (pi: number, si: number): boolean => {
    while (pi < patStr.length) {
      const c = patStr[pi];
      if (c === '?') {
        if (si >= s.length) return false;
        pi++;
        si++;
        continue;
      }
      if (c === '*') {
        while (patStr[pi] === '*') pi++;
        if (pi >= patStr.length) return true;
        for (let k = si; k <= s.length; k++) if (go(pi, k)) return true;
        return false;
      }
      if (c === '[') {
        if (si >= s.length) return false;
        const b = parseBracket(patStr, pi, casefold);
        if (b.kind === 'nomatch') return false;
        if (b.kind === 'set') {
          if (!b.matches(s[si])) return false;
          pi = b.end;
          si++;
          continue;
        }
        if (s[si] !== '[') return false;
        pi++;
        si++;
        continue;
      }
      if (c === '\\') {
        if (pi + 1 >= patStr.length) return false; // "Trailing \ loses."
        if (si >= s.length || fold(patStr[pi + 1], casefold) !== fold(s[si], casefold)) return false;
        pi += 2;
        si++;
        continue;
      }
      if (si >= s.length || fold(c, casefold) !== fold(s[si], casefold)) return false;
      pi++;
      si++;
    }
    return si === s.length;
  };

  return go(0, 0);
}
