// The repository's own import graph, read from source: every .ts/.tsx file, each of its import and export-from
// statements (type-only ones too: a cycle through types is still a knot in the design) and dynamic `import()`s,
// resolved to files in the repo (relative paths and the `@/` alias). Packages are left out. The TypeScript parser
// reads the statements, so comments and strings that merely look like imports are not edges.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Repo-relative path of the imported file. */
  to: string;
  specifier: string;
  kind: 'static' | 'type' | 'dynamic';
}

export type ImportGraph = Map<string, ImportEdge[]>;

const SKIP_DIRS = new Set(['node_modules', '.next', 'dist', 'data', 'coverage', 'test-results', 'playwright-report']);
const SOURCE = /\.(ts|tsx|mts)$/;
const CANDIDATE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.mjs', '.js', '.json', '/index.ts', '/index.tsx'];

/** Every source file under root, repo-relative with forward slashes; generated and dot directories skipped. */
export function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** The module specifiers one file imports, with how. */
export function parseImports(fileName: string, text: string): Array<{ specifier: string; kind: ImportEdge['kind'] }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Array<{ specifier: string; kind: ImportEdge['kind'] }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.importClause?.isTypeOnly === true;
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static' });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, kind: node.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, kind: 'static' });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, kind: 'dynamic' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, kind: 'type' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repo file a specifier names, or null for a package (or a path that does not exist). */
export function resolveSpecifier(root: string, fromFile: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = path.join(root, specifier.slice(2));
  else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') base = path.resolve(root, path.dirname(fromFile), specifier);
  else return null;
  // `./x.js` written for a `./x.ts` file (NodeNext style) resolves to the .ts file.
  const stems = /\.js$/.test(base) ? [base.replace(/\.js$/, ''), base] : [base];
  for (const stem of stems) {
    for (const suffix of CANDIDATE_SUFFIXES) {
      const candidate = stem + suffix;
      if (existsSync(candidate) && statSync(candidate).isFile()) return path.relative(root, candidate).split(path.sep).join('/');
    }
  }
  return null;
}

export function buildImportGraph(root: string, files = listSourceFiles(root)): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const edges: ImportEdge[] = [];
    for (const { specifier, kind } of parseImports(file, readFileSync(path.join(root, file), 'utf8'))) {
      const to = resolveSpecifier(root, file, specifier);
      if (to !== null) edges.push({ to, specifier, kind });
    }
    graph.set(file, edges);
  }
  return graph;
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each reported as the shortest path from the
 * component's first file back to itself: `a.ts -> b.ts -> a.ts`.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const targets = (f: string) => [...new Set((graph.get(f) ?? []).map((e) => e.to))].filter((t) => graph.has(t));

  // Iterative, so a long import chain cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (indexOf.has(start)) continue;
    const work: Array<{ node: string; next: number; succ: string[] }> = [];
    const open = (node: string) => {
      indexOf.set(node, index);
      low.set(node, index);
      index++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: 0, succ: targets(node) });
    };
    open(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.next < top.succ.length) {
        const w = top.succ[top.next++];
        if (!indexOf.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, indexOf.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === indexOf.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.node);
        const selfLoop = component.length === 1 && targets(component[0]).includes(component[0]);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((c) => shortestCycle(c[0], new Set(c), targets)).sort((a, b) => a[0].localeCompare(b[0]));
}

function shortestCycle(start: string, within: Set<string>, targets: (f: string) => string[]): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const t of targets(node)) {
      if (!within.has(t)) continue;
      if (t === start) {
        const path = [start];
        for (let n: string | undefined = node; n !== undefined && n !== start; n = prev.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!prev.has(t)) {
        prev.set(t, node);
        queue.push(t);
      }
    }
  }
  return [start, start];
}
