// Starts the bundled custom server inside Next's standalone output. next() would otherwise load next.config.ts,
// which the image cannot compile; the standalone server.js avoids that by handing Next the config resolved at
// build time through __NEXT_PRIVATE_STANDALONE_CONFIG, and so does this. With VETHWATCH_NEXT=0 (API only) Next is
// never loaded, so its build output is not read either.
import { readFileSync } from 'node:fs';

process.env.NODE_ENV = 'production';
if (process.env.VETHWATCH_NEXT?.trim() !== '0') {
  const required = JSON.parse(readFileSync(new URL('./.next/required-server-files.json', import.meta.url), 'utf8'));
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG ??= JSON.stringify(required.config);
}
const { runFromEnv } = await import('./dist/server.mjs');
await runFromEnv();
