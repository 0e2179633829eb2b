import { describe, expect, it } from 'vitest';
import { AuthError } from '../http/errors';
import { configuredAgentToken, describeAgentTokenSetup, requireAgentToken } from './agentToken';

describe('requireAgentToken', () => {
  it('accepts the configured token, case-insensitive scheme', () => {
    expect(() => requireAgentToken('Bearer s3cret-token', 's3cret-token')).not.toThrow();
    expect(() => requireAgentToken('bearer s3cret-token', 's3cret-token')).not.toThrow();
  });

  it.each([
    [undefined, 'missing bearer token'],
    ['', 'missing bearer token'],
    ['s3cret-token', 'missing bearer token'],
    ['Basic czNjcmV0', 'missing bearer token'],
    ['Bearer', 'missing bearer token'],
    ['Bearer s3cret-tokem', 'invalid bearer token'],
    ['Bearer s3cret-token-and-more', 'invalid bearer token'],
    ['Bearer s3cret', 'invalid bearer token'],
  ])('refuses %j with AuthError (%s)', (header, message) => {
    expect(() => requireAgentToken(header, 's3cret-token')).toThrow(new AuthError(message));
  });

  it('refuses everything when no token is configured', () => {
    expect(() => requireAgentToken('Bearer anything', null)).toThrow(AuthError);
    expect(() => requireAgentToken('Bearer ', null)).toThrow(AuthError);
  });
});

describe('configuration', () => {
  it('reads VETHWATCH_AGENT_TOKEN; blank counts as unset', () => {
    expect(configuredAgentToken({ VETHWATCH_AGENT_TOKEN: 'abc' })).toBe('abc');
    expect(configuredAgentToken({ VETHWATCH_AGENT_TOKEN: '  ' })).toBeNull();
    expect(configuredAgentToken({})).toBeNull();
  });
  it('says at start-up whether reports are accepted, without printing the token', () => {
    expect(describeAgentTokenSetup({ VETHWATCH_AGENT_TOKEN: 'abc123' })).not.toContain('abc123');
    expect(describeAgentTokenSetup({})).toMatch(/not set: every agent report will be refused with 401/);
  });
});
