import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Node-only modules stay out of the server bundles.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node', 'kysely', 'prom-client', 'pino'],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
