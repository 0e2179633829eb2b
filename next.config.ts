import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Node-only modules stay out of the server bundles.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node', 'kysely', 'prom-client', 'pino'],
  // The server image (deploy/docker/server.Dockerfile) ships Next's traced standalone output.
  output: 'standalone',
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
