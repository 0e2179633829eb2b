// The real captures in test/fixtures (provenance in test/fixtures/README.md), read at test time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../../test/fixtures';

export const FIXTURES = FIXTURES_DIR;

export function fixtureText(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export function fixtureJson(rel: string): unknown {
  return JSON.parse(fixtureText(rel));
}
