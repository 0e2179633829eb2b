// The start-up check of the operator-auth settings.
import { describe, expect, it } from 'vitest';
import { authConfigFromEnv, checkAuthConfig } from './config';

describe('auth configuration', () => {
  it('reads the session lifetime in hours, 12 by default', () => {
    expect(authConfigFromEnv({}).sessionTtlMs).toBe(12 * 3_600_000);
    expect(authConfigFromEnv({ VETHWATCH_SESSION_TTL_HOURS: '1.5' }).sessionTtlMs).toBe(5_400_000);
    for (const bad of ['0', '-1', 'twelve', '1e3', '721']) {
      expect(() => authConfigFromEnv({ VETHWATCH_SESSION_TTL_HOURS: bad }), bad).toThrow(/VETHWATCH_SESSION_TTL_HOURS must be a number of hours/);
    }
  });

  it('reads VETHWATCH_PUBLIC_URL, refusing anything but an absolute http(s) URL', () => {
    expect(authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'https://vw.example.com' }).publicUrl?.origin).toBe('https://vw.example.com');
    expect(() => authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'vw.example.com' })).toThrow(/absolute URL/);
    expect(() => authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'ftp://vw.example.com' })).toThrow(/http: or https:/);
  });

  it('says at start-up who can be an operator, without secrets, or that everyone is a viewer', () => {
    const line = checkAuthConfig({ VETHWATCH_OPERATOR_TOKEN: 'a-long-enough-token-0123', VETHWATCH_TRUSTED_PROXY: '10.0.0.5' });
    expect(line).toBe('operator access: operators operator; proxy users in group vethwatch-operators from 10.0.0.5; sessions last 12 h');
    expect(line).not.toContain('a-long-enough-token');
    expect(checkAuthConfig({})).toMatch(/no operator credential .* is configured: everyone is a viewer/);
    expect(() => checkAuthConfig({ VETHWATCH_OPERATOR_TOKEN: 'short' })).toThrow(/shorter than 16/);
    expect(() => checkAuthConfig({ VETHWATCH_TRUSTED_PROXY: 'true' })).toThrow(/list the proxy's addresses/);
  });
});
