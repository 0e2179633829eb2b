// Test helpers for the remediation API: requests as a browser or CLI would send them, a runtime on a test store,
// and polling until a background run reaches a state.
import { authConfigFromEnv, type AuthConfig } from '../auth/operator';
import { createEventBus, type EventBus } from '../events/bus';
import type { Store } from '../store';
import type { RemediationConfig } from './config';
import type { HandlerContext } from './handlers';
import { createRemediationRuntime, type RemediationRuntime } from './runtime';
import { CSRF_HEADER, CSRF_VALUE } from './types';

export const ORIGIN = 'http://vethwatch.test';
export const OPERATOR_TOKEN = 'op-token-for-tests-0123456789';

export function testAuth(env: Record<string, string | undefined> = {}): AuthConfig {
  return authConfigFromEnv({ VETHWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN, ...env });
}

export function testRuntime(store: Store, config: RemediationConfig, bus: EventBus = createEventBus()): RemediationRuntime {
  return createRemediationRuntime({ store: async () => store, config, sweepMs: 3_600_000, bus });
}

export function ctxOf(runtime: RemediationRuntime, auth: AuthConfig = testAuth()): HandlerContext {
  return { runtime, auth };
}

export interface Call {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function request(path: string, call: Call = {}): Request {
  const headers: Record<string, string> = { host: 'vethwatch.test', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers };
  return new Request(`${ORIGIN}${path}`, {
    method: call.method ?? (call.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
  });
}

/** The CLI: the operator bearer token, no CSRF header. */
export const asToken = { authorization: `Bearer ${OPERATOR_TOKEN}` };
/** A same-origin page's fetch, with the CSRF header. */
export const sameOrigin = { origin: ORIGIN, 'sec-fetch-site': 'same-origin', [CSRF_HEADER]: CSRF_VALUE };

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
