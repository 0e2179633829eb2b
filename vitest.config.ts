import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit and integration tests: pure code, fixtures, the stores (SQLite and the throwaway PostgreSQL that
// scripts/test-all.sh starts), fake Kubernetes API. Nothing here touches host network state; that is
// vitest.host.config.ts.
export default defineConfig({
  // Component tests (components/**/*.test.tsx): JSX compiles to React's automatic runtime whatever tsconfig's "jsx"
  // says (Next may set it to "preserve", which leaves JSX for Next's own compiler).
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)), 'server-only': fileURLToPath(new URL('./test/server-only-shim.ts', import.meta.url)) } },
  test: {
    include: ['{agent,lib,app,components,test,bench,deploy,scripts}/**/*.test.{ts,tsx}'],
    exclude: ['**/*.host.test.ts', 'node_modules/**', '.next/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
