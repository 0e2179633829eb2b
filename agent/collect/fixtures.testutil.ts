// The shared, real captures (see /work/shared/domain/fixtures/README.md), read at test time, never copied.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = '/work/shared/domain/fixtures';

export function fixtureText(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export function fixtureJson(rel: string): unknown {
  return JSON.parse(fixtureText(rel));
}
