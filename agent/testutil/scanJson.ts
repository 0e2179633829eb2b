// Prints one scan() report as JSON. Host tests run it as another user (runuser) to see how the agent copes
// without the privileges it would like. Not part of the agent's CLI (agent/cli.ts is).
import { scan } from '../scan';

scan({ root: process.argv[2] ?? '/', intervalSeconds: 60 }).then(
  (r) => process.stdout.write(JSON.stringify(r) + '\n'),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
