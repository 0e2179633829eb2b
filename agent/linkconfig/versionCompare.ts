// KernelVersion= comparisons: parse_compare_operator(), version_or_fnmatch_compare() (src/shared/
// compare-operator.c) and strverscmp_improved() (src/fundamental/string-util-fundamental.c) of systemd 252.
import { fnmatch } from './fnmatch';

export type CompareOperator =
  | 'string-equal'
  | 'string-unequal'
  | 'fnmatch-equal'
  | 'fnmatch-unequal'
  | 'le'
  | 'ge'
  | 'lt'
  | 'gt'
  | 'eq'
  | 'ne';

interface OpEntry {
  op: CompareOperator;
  str: string;
  /** Appears without this flag: the whole parse fails. */
  validMask?: 'fnmatch' | 'textual';
  /** Skipped without this flag. */
  needMask?: 'equalByString';
}

// Order matters: longer operators that share a prefix come first, exactly as in the C table.
const TABLE: OpEntry[] = [
  { op: 'fnmatch-equal', str: '$=', validMask: 'fnmatch' },
  { op: 'fnmatch-unequal', str: '!$=', validMask: 'fnmatch' },
  { op: 'ne', str: '<>' },
  { op: 'le', str: '<=' },
  { op: 'ge', str: '>=' },
  { op: 'lt', str: '<' },
  { op: 'gt', str: '>' },
  { op: 'eq', str: '==' },
  { op: 'string-equal', str: '=', needMask: 'equalByString' },
  { op: 'eq', str: '=' },
  { op: 'string-unequal', str: '!=', needMask: 'equalByString' },
  { op: 'ne', str: '!=' },
  { op: 'lt', str: 'lt', validMask: 'textual' },
  { op: 'le', str: 'le', validMask: 'textual' },
  { op: 'eq', str: 'eq', validMask: 'textual' },
  { op: 'ne', str: 'ne', validMask: 'textual' },
  { op: 'ge', str: 'ge', validMask: 'textual' },
  { op: 'gt', str: 'gt', validMask: 'textual' },
];

export interface CompareFlags {
  allowFnmatch?: boolean;
  equalByString?: boolean;
  allowTextual?: boolean;
}

/** Returns the operator and the rest of the string, or null (_COMPARE_OPERATOR_INVALID). */
export function parseCompareOperator(s: string, flags: CompareFlags): { op: CompareOperator; rest: string } | null {
  for (const e of TABLE) {
    if (e.needMask === 'equalByString' && !flags.equalByString) continue;
    if (!s.startsWith(e.str)) continue;
    if (e.validMask === 'fnmatch' && !flags.allowFnmatch) return null;
    if (e.validMask === 'textual' && !flags.allowTextual) return null;
    return { op: e.op, rest: s.slice(e.str.length) };
  }
  return null;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isValidVersionChar = (c: string): boolean => isDigit(c) || isAlpha(c) || '~-^.'.includes(c);

function cmp(a: number | boolean | string, b: number | boolean | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strverscmp_improved(): '~' < end < '-' < '^' < '.' segments; numeric beats alpha; longer wins. */
export function strverscmpImproved(a0: string, b0: string): number {
  let a = 0;
  let b = 0;
  const A = a0;
  const B = b0;
  const at = (s: string, i: number): string => (i < s.length ? s[i] : '\0');
  for (;;) {
    while (at(A, a) !== '\0' && !isValidVersionChar(at(A, a))) a++;
    while (at(B, b) !== '\0' && !isValidVersionChar(at(B, b))) b++;

    if (at(A, a) === '~' || at(B, b) === '~') {
      const r = cmp(at(A, a) !== '~', at(B, b) !== '~');
      if (r !== 0) return r;
      a++;
      b++;
    }
    if (at(A, a) === '\0' || at(B, b) === '\0') return cmp(at(A, a).charCodeAt(0), at(B, b).charCodeAt(0));

    for (const sep of ['-', '^', '.']) {
      if (at(A, a) === sep || at(B, b) === sep) {
        const r = cmp(at(A, a) !== sep, at(B, b) !== sep);
        if (r !== 0) return r;
        a++;
        b++;
      }
    }

    let aa = a;
    let bb = b;
    if (isDigit(A[a]) || isDigit(B[b])) {
      while (isDigit(A[aa])) aa++;
      while (isDigit(B[bb])) bb++;
      let r = cmp(a !== aa, b !== bb);
      if (r !== 0) return r;
      while (A[a] === '0') a++;
      while (B[b] === '0') b++;
      r = cmp(aa - a, bb - b);
      if (r !== 0) return r;
      r = cmp(A.slice(a, aa), B.slice(b, bb));
      if (r !== 0) return r;
    } else {
      while (isAlpha(A[aa])) aa++;
      while (isAlpha(B[bb])) bb++;
      const n = Math.min(aa - a, bb - b);
      let r = cmp(A.slice(a, a + n), B.slice(b, b + n));
      if (r !== 0) return r;
      r = cmp(aa - a, bb - b);
      if (r !== 0) return r;
    }
    a = aa;
    b = bb;
  }
}

/** version_or_fnmatch_compare(op, actual, expected); null for the C -EINVAL. */
export function versionOrFnmatchCompare(op: CompareOperator, actual: string, expected: string): boolean | null {
  switch (op) {
    case 'string-equal':
      return actual === expected;
    case 'string-unequal':
      return actual !== expected;
    case 'fnmatch-equal':
      return fnmatch(expected, actual);
    case 'fnmatch-unequal':
      return !fnmatch(expected, actual);
    default: {
      const k = strverscmpImproved(actual, expected);
      switch (op) {
        case 'lt':
          return k < 0;
        case 'le':
          return k <= 0;
        case 'eq':
          return k === 0;
        case 'ne':
          return k !== 0;
        case 'ge':
          return k >= 0;
        case 'gt':
          return k > 0;
      }
    }
  }
  return null;
}
