import 'server-only';
import { fileURLToPath } from 'node:url';
import { configuredAgentToken } from '../lib/auth/agentToken';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from '../lib/history/stream';
import { DEFAULT_LIMITS, type ListenerLimits } from './listeners';

export interface ServerConfig {
  host: string;
  /** The people listener (UI, read API, remediation); alone it serves agents too. 0 picks a free port. */
  port: number;
  /** VETHWATCH_AGENT_PORT: a second listener, on the same host, for agents only; null: one listener for all. */
  agentPort: number | null;
  limits: ListenerLimits;
  streams: StreamLimits;
  /** false (VETHWATCH_NEXT=0): API only, no Next UI; for agent tests and benchmarks. */
  next: boolean;
  agentToken: string | null;
  /** The project root, where Next finds .next/. */
  dir: string;
}

export class ServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ServerConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function serverConfigFromEnv(env: Record<string, string | undefined> = process.env): ServerConfig {
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0, 65535),
    agentPort: env.VETHWATCH_AGENT_PORT?.trim() ? integer(env, 'VETHWATCH_AGENT_PORT', 0, 0, 65535) : null,
    limits: { ...DEFAULT_LIMITS, maxConnections: integer(env, 'VETHWATCH_MAX_CONNECTIONS', DEFAULT_LIMITS.maxConnections, 1, 1_000_000) },
    streams: {
      perClient: integer(env, 'VETHWATCH_STREAMS_PER_CLIENT', DEFAULT_STREAM_LIMITS.perClient, 1, 1_000_000),
      max: integer(env, 'VETHWATCH_STREAMS_MAX', DEFAULT_STREAM_LIMITS.max, 1, 1_000_000),
    },
    next: env.VETHWATCH_NEXT?.trim() !== '0',
    agentToken: configuredAgentToken(env),
    dir: fileURLToPath(new URL('..', import.meta.url)),
  };
}
