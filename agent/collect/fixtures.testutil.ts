// The shared, real captures (see shared/domain/fixtures/README.md beside the checkout), read at test time, never
// copied.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_FIXTURES } from '../../test/support/sharedFixtures';

export const FIXTURES = SHARED_FIXTURES;

export function fixtureText(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export function fixtureJson(rel: string): unknown {
  return JSON.parse(fixtureText(rel));
}
