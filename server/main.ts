// Entry point: `node --import tsx server/main.ts`. Only the hook registration may run before the server's
// modules load (they import 'server-only'), so everything else is imported dynamically.
import { register } from 'node:module';

register('./serverOnlyHook.mjs', import.meta.url);
const { runFromEnv } = await import('./run');
await runFromEnv();
