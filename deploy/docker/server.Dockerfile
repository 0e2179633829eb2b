# syntax=docker/dockerfile:1
# vethwatch server: Next.js (standalone output) behind the custom server (server/run.ts), on Node 24.
# Build from the repository root:  docker build -f deploy/docker/server.Dockerfile -t ghcr.io/vethwatch/server:0.1.0 .
# Builds Next's standalone output (next.config.ts asks for it when VETHWATCH_NEXT_OUTPUT=standalone).
ARG NODE_IMAGE=node:24-bookworm-slim

# All dependencies. better-sqlite3 13 ships its N-API binaries inside the npm package, so nothing is compiled and
# no toolchain is needed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p public && VETHWATCH_NEXT_OUTPUT=standalone npx next build
# The custom server as one ESM file. Standalone output does not trace a custom server, so it is bundled: next
# stays external (the copy the standalone output traced), better-sqlite3 is native, and the react-server
# condition resolves the `server-only` marker to its empty module (what server/serverOnlyHook.mjs does under tsx).
RUN npx esbuild server/run.ts --bundle --platform=node --format=esm --target=node24 \
      --conditions=react-server --external:next --external:better-sqlite3 --external:pg-native \
      "--banner:js=import { createRequire as __vwCreateRequire } from 'node:module'; const require = __vwCreateRequire(import.meta.url);" \
      --outfile=dist/server.mjs

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    VETHWATCH_DB=/data/vethwatch.db
WORKDIR /app
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
# The native SQLite binding, whether or not Next's tracing picked it up.
COPY --from=deps /app/node_modules/better-sqlite3 ./node_modules/better-sqlite3
COPY --from=build /app/dist/server.mjs ./dist/server.mjs
COPY deploy/docker/server-entry.mjs ./server-entry.mjs
# Files stay root-owned and read-only to the server; only /data (the volume) and /tmp are its to write.
RUN mkdir -p /data /app/.next/cache && chown 10001:10001 /data /app/.next/cache
USER 10001:10001
# 3000: people (PORT); 3001: agents, when VETHWATCH_AGENT_PORT=3001 (the Kubernetes manifests set it).
EXPOSE 3000 3001
# A 16 MB semi-space, the young generation Node 20 gave this server: Node 24 sizes it from the host's memory and,
# on a 24 GiB machine, the ingest bench's peak RSS was 416 MB without the flag and 290 MB with it (268 MB at 8,
# p99 latency unchanged within noise; docs/performance.md). bench/ingest.ts runs this ENTRYPOINT, flags included.
ENTRYPOINT ["node", "--max-semi-space-size=16", "server-entry.mjs"]
