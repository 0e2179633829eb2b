import type { NextConfig } from 'next';

/** Set to `standalone` by the server image's build only. */
const NEXT_OUTPUT_ENV = 'VETHWATCH_NEXT_OUTPUT';

const nextConfig: NextConfig = {
  // Node-only modules stay out of the server bundles.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node', 'kysely', 'prom-client', 'pino', 'pino-pretty'],
  // The server image ships Next's traced standalone output, so its build (deploy/docker/server.Dockerfile) asks for
  // it. Everywhere else the custom server (server/run.ts) loads this config into next() over a normal build, and
  // with output 'standalone' Next warns there that '"next start" does not work with "output: standalone"'.
  ...(process.env[NEXT_OUTPUT_ENV] === 'standalone' ? { output: 'standalone' as const } : {}),
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
