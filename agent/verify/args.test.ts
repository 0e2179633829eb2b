// verify's flags: durations, bounds, and a token only from a file or the environment (never argv).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../config';
import { parseCommandLine } from '../config';
import { parseDuration, parseVerifyArgs } from './args';

const host = () => 'test-host';

describe('verify arguments', () => {
  it('parses durations', () => {
    expect(parseDuration('watch', '90')).toBe(90);
    expect(parseDuration('watch', '15m')).toBe(900);
    expect(parseDuration('watch', '24h')).toBe(86400);
    expect(parseDuration('watch', '7d')).toBe(604800);
    expect(() => parseDuration('watch', '1.5h')).toThrow(UsageError);
  });

  it('defaults to a probe a minute and prints without a server', () => {
    expect(parseVerifyArgs(['--watch', '10m'], {}, host)).toMatchObject({ durationSeconds: 600, everySeconds: 60, node: 'test-host', server: null, token: null });
  });

  it('refuses what cannot run', () => {
    expect(() => parseVerifyArgs([], {}, host)).toThrow(/--watch/);
    expect(() => parseVerifyArgs(['--watch', '8d'], {}, host)).toThrow(/between/);
    expect(() => parseVerifyArgs(['--watch', '10s', '--every', '1m'], {}, host)).toThrow(/longer/);
    expect(() => parseVerifyArgs(['--watch', '1h', '--server', 'http://s'], {}, host)).toThrow(/token/);
    expect(() => parseVerifyArgs(['--watch', '1h', '--token', 'secret'], {}, host)).toThrow(/unknown argument/);
  });

  it('takes the server and token from the environment', () => {
    expect(parseVerifyArgs(['--watch', '1h'], { VETHWATCH_SERVER: 'http://vw:3000', VETHWATCH_AGENT_TOKEN: 't0k', NODE_NAME: 'n1' }, host)).toMatchObject({
      server: new URL('http://vw:3000'),
      token: 't0k',
      node: 'n1',
    });
  });

  it('is reached from the agent command line', () => {
    expect(parseCommandLine(['verify', '--watch', '3s'], {}, host)).toEqual({ kind: 'verify', argv: ['--watch', '3s'] });
  });
});
