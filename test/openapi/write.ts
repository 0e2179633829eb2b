// `node --import tsx test/openapi/write.ts`: regenerates public/openapi.json from test/openapi/document.ts.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/serverProcess';
import { buildDocument } from './document';

export const OPENAPI_FILE = path.join(REPO_ROOT, 'public/openapi.json');

/** The file's exact text: stable key order from the builder, two-space indent, final newline. */
export function documentText(): string {
  return `${JSON.stringify(buildDocument(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO_ROOT, 'test/openapi/write.ts')) {
  fs.mkdirSync(path.dirname(OPENAPI_FILE), { recursive: true });
  fs.writeFileSync(OPENAPI_FILE, documentText());
  console.log(`wrote ${path.relative(REPO_ROOT, OPENAPI_FILE)}`);
}
