import { describe, expect, it } from 'vitest';
import { ClusterConfigError, clusterConfigFromEnv } from './config';

describe('clusterConfigFromEnv', () => {
  it('defaults to the manifests in deploy/', () => {
    expect(clusterConfigFromEnv({})).toEqual({
      audience: 'vethwatch',
      agentServiceAccount: 'system:serviceaccount:vethwatch:vethwatch-agent',
      awsNodeRefreshMs: 300_000,
      conditionHeartbeatMs: 300_000,
      publisherPollMs: 10_000,
    });
  });

  it('takes overrides and refuses nonsense with the variable named', () => {
    expect(
      clusterConfigFromEnv({
        VETHWATCH_TOKEN_AUDIENCE: 'vw',
        VETHWATCH_AGENT_SERVICE_ACCOUNT: 'system:serviceaccount:ops:agent',
        VETHWATCH_CONDITION_HEARTBEAT_SECONDS: '60',
      }),
    ).toMatchObject({ audience: 'vw', agentServiceAccount: 'system:serviceaccount:ops:agent', conditionHeartbeatMs: 60_000 });
    expect(() => clusterConfigFromEnv({ VETHWATCH_AGENT_SERVICE_ACCOUNT: 'vethwatch-agent' })).toThrow(ClusterConfigError);
    expect(() => clusterConfigFromEnv({ VETHWATCH_AWS_NODE_REFRESH_SECONDS: 'soon' })).toThrow(/VETHWATCH_AWS_NODE_REFRESH_SECONDS/);
    expect(() => clusterConfigFromEnv({ VETHWATCH_CONDITION_POLL_SECONDS: '0' })).toThrow(ClusterConfigError);
  });
});
