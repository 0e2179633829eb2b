// A unified line diff (as `diff -u` prints it) between two versions of a link file. Myers' O((N+M)·D) algorithm:
// link files are small and their versions differ in a few lines, so D stays tiny. Client-safe and pure.

export interface UnifiedDiffOptions {
  /** Shown in the `---`/`+++` header lines. */
  fromLabel?: string;
  toLabel?: string;
  /** Lines of context around each change (diff -u: 3). */
  context?: number;
  /** Above this many differing lines, the diff replaces the whole file instead of searching for a minimal one. */
  maxEditDistance?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/**
 * Lines with their terminator: a last line without a newline differs from the same text with one, as in diff.
 */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => `${l}\n`);
  const last = lines.pop()!;
  if (last !== '\n') lines.push(last.slice(0, -1));
  return lines;
}

/** The edit script from a to b: the shortest one when D <= maxD, else delete-all then insert-all. */
function editScript(a: string[], b: string[], maxD: number): Op[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    return [
      ...a.map((line, i): Op => ({ kind: '-', line, a: i, b: 0 })),
      ...b.map((line, j): Op => ({ kind: '+', line, a: n, b: j })),
    ];
  }
  // Walk the trace back from (n, m) to (0, 0).
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK];
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: a[x], a: x, b: y });
    }
    if (d > 0) {
      if (down) {
        y--;
        ops.push({ kind: '+', line: b[y], a: x, b: y });
      } else {
        x--;
        ops.push({ kind: '-', line: a[x], a: x, b: y });
      }
    }
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // diff -u: an empty range names the line before it; a one-line range omits the count.
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

/**
 * Unified diff of two texts, or '' when they are equal. Lines are split on "\n"; a missing final newline is
 * marked the way diff marks it.
 */
export function unifiedDiff(from: string, to: string, options: UnifiedDiffOptions = {}): string {
  if (from === to) return '';
  const context = options.context ?? 3;
  const a = splitLines(from);
  const b = splitLines(to);
  const ops = editScript(a, b, options.maxEditDistance ?? 4000);

  const out: string[] = [`--- ${options.fromLabel ?? 'a'}`, `+++ ${options.toLabel ?? 'b'}`];
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);

  let i = 0;
  while (i < changed.length) {
    // A hunk: changes closer than 2·context lines apart share one.
    let end = i;
    while (end + 1 < changed.length && changed[end + 1] - changed[end] <= 2 * context + 1) end++;
    const start = Math.max(0, changed[i] - context);
    const stop = Math.min(ops.length - 1, changed[end] + context);
    const hunk = ops.slice(start, stop + 1);
    const aStart = hunk[0].a;
    const bStart = hunk[0].b;
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const op of hunk) {
      if (op.line.endsWith('\n')) out.push(`${op.kind}${op.line.slice(0, -1)}`);
      else out.push(`${op.kind}${op.line}`, '\\ No newline at end of file');
    }
    i = end + 1;
  }
  return `${out.join('\n')}\n`;
}
