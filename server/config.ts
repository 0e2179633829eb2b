import 'server-only';
import { fileURLToPath } from 'node:url';
import { configuredAgentToken } from '../lib/auth/agentToken';

export interface ServerConfig {
  host: string;
  /** 0 picks a free port; the listening line says which. */
  port: number;
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
    next: env.VETHWATCH_NEXT?.trim() !== '0',
    agentToken: configuredAgentToken(env),
    dir: fileURLToPath(new URL('..', import.meta.url)),
  };
}
