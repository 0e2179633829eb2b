import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests that change host state: network namespaces, veths, files under /etc|/run|/usr/local/lib systemd/network,
// real udevadm. They need root, run strictly one file at a time, and restore what they changed.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)), 'server-only': fileURLToPath(new URL('./test/server-only-shim.ts', import.meta.url)) } },
  test: {
    include: ['{agent,lib,test}/**/*.host.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
