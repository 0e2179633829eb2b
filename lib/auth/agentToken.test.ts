import { describe, expect, it } from 'vitest';
import { configuredAgentToken, describeAgentTokenSetup } from './agentToken';

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
