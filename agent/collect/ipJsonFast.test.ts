// The hand-written fast paths of ipJson.ts must give exactly what the zod schemas give, and must hand anything the
// schemas would reject (or are unsure of) to the schemas, so the error is the same too.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureJson } from './fixtures.testutil';
import { parseLinks, parseNeighbours, parseRoutes, schemaLinks, schemaNeighbours, schemaRoutes } from './ipJson';

type Parser = (v: unknown) => unknown;
const pairs: Array<[string, Parser, Parser]> = [
  ['links', parseLinks, schemaLinks],
  ['neighbours', parseNeighbours, schemaNeighbours],
  ['routes', parseRoutes, schemaRoutes],
];

function outcome(f: Parser, v: unknown): unknown {
  try {
    return { ok: f(v) };
  } catch (e) {
    return { error: (e as Error).name + ': ' + (e as Error).message };
  }
}

/** Every ip -j capture in test/fixtures. */
function ipCaptures(): Array<{ file: string; value: unknown }> {
  const out: Array<{ file: string; value: unknown }> = [];
  for (const dir of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(path.join(FIXTURES, dir.name))) {
      if (!/ip-j.*\.json$/.test(f)) continue;
      out.push({ file: `${dir.name}/${f}`, value: fixtureJson(`${dir.name}/${f}`) });
    }
  }
  return out;
}

// Each mutation is applied to the first element of a document; several make it invalid, some keep it valid.
const mutations: Array<[string, (o: Record<string, unknown>) => void]> = [
  ['ifindex as string', (o) => (o.ifindex = '9')],
  ['ifindex fractional', (o) => (o.ifindex = 1.5)],
  ['ifindex unsafe', (o) => (o.ifindex = 2 ** 60)],
  ['address null', (o) => (o.address = null)],
  ['link null', (o) => (o.link = null)],
  ['link number', (o) => (o.link = 3)],
  ['linkinfo array', (o) => (o.linkinfo = [])],
  ['linkinfo kind number', (o) => (o.linkinfo = { info_kind: 1 })],
  ['addr_info with a junk object', (o) => (o.addr_info = [{ family: 'inet' }, { family: 'inet', local: '10.0.0.1', prefixlen: 32 }])],
  ['addr_info with a string', (o) => (o.addr_info = ['x'])],
  ['addr_info object', (o) => (o.addr_info = {})],
  ['prefixlen string', (o) => (o.addr_info = [{ family: 'inet', local: '10.0.0.1', prefixlen: '32' }])],
  ['dst missing', (o) => delete o.dst],
  ['dst number', (o) => (o.dst = 1)],
  ['lladdr upper case', (o) => (o.lladdr = 'CA:27:84:0A:55:10')],
  ['lladdr empty', (o) => (o.lladdr = '')],
  ['state string', (o) => (o.state = 'PERMANENT')],
  ['state with number', (o) => (o.state = ['PERMANENT', 1])],
  ['table number', (o) => (o.table = 254)],
  ['table bool', (o) => (o.table = true)],
  ['gateway null', (o) => (o.gateway = null)],
  ['extra field', (o) => (o.whatever = { deep: [1, 2] })],
];

describe('ip -j fast paths agree with the schemas', () => {
  const captures = ipCaptures();

  it('finds the captures', () => {
    expect(captures.length).toBeGreaterThan(5);
  });

  it('on every real capture, whatever kind it is', () => {
    for (const { file, value } of captures) {
      for (const [name, fast, schema] of pairs) expect(outcome(fast, value), `${name} of ${file}`).toEqual(outcome(schema, value));
    }
  });

  it('on every capture with each mutation, valid or not', () => {
    let differentResults = 0;
    for (const { file, value } of captures) {
      if (!Array.isArray(value) || value.length === 0) continue;
      for (const [label, mutate] of mutations) {
        const copy = structuredClone(value) as Record<string, unknown>[];
        if (typeof copy[0] !== 'object' || copy[0] === null) continue;
        mutate(copy[0]);
        for (const [name, fast, schema] of pairs) {
          const a = outcome(fast, copy);
          const b = outcome(schema, copy);
          expect(a, `${name} of ${file} with ${label}`).toEqual(b);
          if ('error' in (b as object)) differentResults++;
        }
      }
    }
    // The mutations must include rejections, or this test says nothing about the fallback.
    expect(differentResults).toBeGreaterThan(20);
  });

  it('on non-arrays and empty dumps', () => {
    for (const v of [undefined, null, [], {}, 'x', 3, [null], [[]]]) {
      for (const [name, fast, schema] of pairs) expect(outcome(fast, v), `${name} of ${JSON.stringify(v)}`).toEqual(outcome(schema, v));
    }
  });
});
