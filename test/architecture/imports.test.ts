// The house rules, checked on the real import graph (docs/architecture.md):
// - data flows one way: nothing in lib/ imports agent/, server/, app/, components/, bench/, e2e/ or test/;
// - the agent never pulls in a server-only module (it runs on nodes, without the server's loader);
// - no import cycles anywhere.
// Tests (*.test.ts, *.test.tsx) are exempt from the direction rules: a test may wire layers together (a host test
// in lib/ drives the agent's lab). They cannot be part of a cycle, since nothing imports them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, parseImports, resolveSpecifier, type ImportGraph } from './importGraph';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const isTest = (f: string) => /\.test\.tsx?$/.test(f);
const top = (f: string) => f.split('/')[0];

const graph = buildImportGraph(ROOT);

function edgesFrom(from: (f: string) => boolean, to: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, edges] of graph) {
    if (isTest(file) || !from(file)) continue;
    for (const e of edges) if (to(e.to)) out.push(`${file} -> ${e.to} (${e.kind} import '${e.specifier}')`);
  }
  return out;
}

describe('import graph of this repository', () => {
  it('finds the files and their imports (a sanity check on the reader itself)', () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(graph.get('agent/cli.ts')?.some((e) => e.to === 'agent/scan.ts')).toBe(true);
    // The @/ alias resolves: a page imports components through it.
    const aliased = [...graph.values()].flat().filter((e) => e.specifier.startsWith('@/'));
    expect(aliased.length).toBeGreaterThan(0);
  });

  it('lib/ imports nothing from agent/', () => {
    expect(edgesFrom((f) => top(f) === 'lib', (t) => top(t) === 'agent')).toEqual([]);
  });

  it('lib/ imports nothing from server/', () => {
    expect(edgesFrom((f) => top(f) === 'lib', (t) => top(t) === 'server')).toEqual([]);
  });

  it('lib/ imports nothing from the layers above it or from test code', () => {
    const above = new Set(['app', 'components', 'bench', 'e2e', 'test']);
    expect(edgesFrom((f) => top(f) === 'lib', (t) => above.has(top(t)))).toEqual([]);
  });

  it('the agent reaches no server-only module and nothing under server/, app/ or components/', () => {
    const serverOnly = (f: string) => /^\s*import\s+['"]server-only['"]/m.test(readFileSync(path.join(ROOT, f), 'utf8'));
    const bad: string[] = [];
    const seen = new Map<string, string | null>();
    const queue = [...graph.keys()].filter((f) => top(f) === 'agent' && !isTest(f));
    for (const f of queue) seen.set(f, null);
    for (let i = 0; i < queue.length; i++) {
      const f = queue[i];
      if (['server', 'app', 'components'].includes(top(f)) || (/\.tsx?$/.test(f) && serverOnly(f))) {
        const chain = [f];
        for (let p = seen.get(f); p; p = seen.get(p)) chain.unshift(p);
        bad.push(chain.join(' -> '));
        continue;
      }
      for (const e of graph.get(f) ?? []) {
        if (seen.has(e.to) || !graph.has(e.to)) continue;
        seen.set(e.to, f);
        queue.push(e.to);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles = findCycles(graph).map((c) => c.join(' -> '));
    expect(cycles).toEqual([]);
  });
});

describe('the import reader', () => {
  it('reads every import form, type-only and dynamic ones too, and nothing in comments or strings', () => {
    const text = [
      "import a from './a';",
      "import type { B } from './b';",
      "import { type C, d } from './c';",
      "export { e } from './e';",
      "export * from './f';",
      "export type { G } from './g';",
      "import './side-effect';",
      "const h = await import('./h');",
      "type I = import('./i').I;",
      "// import z from './commented';",
      "const s = \"import y from './in-a-string'\";",
      "import pkg from 'zod';",
    ].join('\n');
    expect(parseImports('x.ts', text)).toEqual([
      { specifier: './a', kind: 'static' },
      { specifier: './b', kind: 'type' },
      { specifier: './c', kind: 'static' },
      { specifier: './e', kind: 'static' },
      { specifier: './f', kind: 'static' },
      { specifier: './g', kind: 'type' },
      { specifier: './side-effect', kind: 'static' },
      { specifier: './h', kind: 'dynamic' },
      { specifier: './i', kind: 'type' },
      { specifier: 'zod', kind: 'static' },
    ]);
  });

  it('resolves relative paths, index files and the @/ alias to repo files, and leaves packages out', () => {
    expect(resolveSpecifier(ROOT, 'agent/verdict.ts', '../lib/report/schema')).toBe('lib/report/schema.ts');
    expect(resolveSpecifier(ROOT, 'app/page.tsx', '@/lib/report/schema')).toBe('lib/report/schema.ts');
    expect(resolveSpecifier(ROOT, 'lib/remediation/service.ts', '../store')).toBe('lib/store/index.ts');
    expect(resolveSpecifier(ROOT, 'lib/remediation/service.ts', 'zod')).toBeNull();
  });

  it('reports each cycle as a path back to its start, and none for a chain', () => {
    const g: ImportGraph = new Map([
      ['a.ts', [{ to: 'b.ts', specifier: './b', kind: 'static' }]],
      ['b.ts', [{ to: 'c.ts', specifier: './c', kind: 'type' }]],
      ['c.ts', [{ to: 'a.ts', specifier: './a', kind: 'static' }, { to: 'd.ts', specifier: './d', kind: 'static' }]],
      ['d.ts', []],
      ['e.ts', [{ to: 'e.ts', specifier: './e', kind: 'dynamic' }]],
    ]);
    expect(findCycles(g)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
    g.set('c.ts', [{ to: 'd.ts', specifier: './d', kind: 'static' }]);
    g.set('e.ts', []);
    expect(findCycles(g)).toEqual([]);
  });
});
