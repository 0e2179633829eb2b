import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, FLAGS, HELP_TEXT, parseCommandLine, UsageError, type AgentConfig, type Env } from './config';

const tmp = mkdtempSync(path.join(tmpdir(), 'vw-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOST = () => 'test-host';

function config(argv: string[], env: Env = {}, host = HOST): AgentConfig {
  const cmd = parseCommandLine(argv, env, host);
  if (cmd.kind !== 'collect') throw new Error(`expected a collect command, got ${cmd.kind}`);
  return cmd.config;
}

function usage(argv: string[], env: Env = {}, host = HOST): string {
  try {
    parseCommandLine(argv, env, host);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('--once alone prints: no server, defaults everywhere', () => {
    const c = config(['--once']);
    expect(c).toMatchObject({
      once: true,
      server: null,
      token: null,
      intervalSeconds: 15,
      root: '/',
      node: 'test-host',
      nodeName: { name: 'test-host', source: 'host name', lowercasedFrom: null },
      spoolDir: '/var/lib/vethwatch/spool',
      spoolMaxReports: 500,
      spoolMaxBytes: 50 * 1024 * 1024,
      watch: true,
      requestTimeoutMs: 10_000,
      logLevel: 'info',
    });
  });

  it('takes --flag value and --flag=value', () => {
    const a = config(['--server', 'http://127.0.0.1:3000', '--token', 't0k', '--interval', '5', '--root', tmp]);
    const b = config(['--server=http://127.0.0.1:3000', '--token=t0k', '--interval=5', `--root=${tmp}`]);
    for (const c of [a, b]) {
      expect(c.once).toBe(false);
      expect(c.server?.href).toBe('http://127.0.0.1:3000/');
      expect(c.token).toBe('t0k');
      expect(c.intervalSeconds).toBe(5);
      expect(c.root).toBe(tmp);
    }
  });

  it('falls back to the environment for server, token, node and spool dir; flags win', () => {
    const env = {
      VETHWATCH_SERVER: 'https://vw.example:8443/base',
      VETHWATCH_AGENT_TOKEN: 'from-env',
      NODE_NAME: 'ip-10-0-0-1.ec2.internal',
      VETHWATCH_SPOOL_DIR: path.join(tmp, 'spool-env'),
    };
    const c = config([], env);
    expect(c.server?.href).toBe('https://vw.example:8443/base');
    expect(c.token).toBe('from-env');
    expect(c.node).toBe('ip-10-0-0-1.ec2.internal');
    expect(c.spoolDir).toBe(path.join(tmp, 'spool-env'));
    const f = config(['--token', 'flag', '--node', 'n2', '--spool-dir', path.join(tmp, 's2')], env);
    expect(f).toMatchObject({ token: 'flag', node: 'n2', spoolDir: path.join(tmp, 's2') });
  });

  it('reads the token from --token-file, trimmed', () => {
    const file = path.join(tmp, 'token');
    writeFileSync(file, '  s3cret\n');
    expect(config(['--server', 'http://x:1', '--token-file', file]).token).toBe('s3cret');
    writeFileSync(path.join(tmp, 'empty'), '\n');
    expect(usage(['--server', 'http://x:1', '--token-file', path.join(tmp, 'empty')])).toMatch(/empty/);
    expect(usage(['--server', 'http://x:1', '--token-file', path.join(tmp, 'nope')])).toMatch(/--token-file/);
    expect(usage(['--server', 'http://x:1', '--token', 'a', '--token-file', file])).toMatch(/not both/);
  });

  it('switches and bounds', () => {
    const c = config(['--once', '--no-watch', '--spool-max-reports', '3', '--spool-max-bytes', '4096', '--timeout', '2', '--log-level', 'debug']);
    expect(c).toMatchObject({ watch: false, spoolMaxReports: 3, spoolMaxBytes: 4096, requestTimeoutMs: 2000, logLevel: 'debug' });
  });

  it.each([
    [['--bogus'], /unknown flag --bogus/],
    [['--once', '--verbose=1'], /unknown flag --verbose/],
    [['-x'], /unexpected argument "-x"/],
    [['once'], /unexpected argument "once"/],
    [['--once', '--once'], /more than once/],
    [['--once', '--interval'], /--interval needs a value/],
    [['--once', '--interval', '--no-watch'], /--interval needs a value/],
    [['--once', '--interval', '0'], /between 1 and 86400/],
    [['--once', '--interval', '1.5'], /whole number/],
    [['--once', '--interval', 'ten'], /whole number/],
    [['--once', '--no-watch=yes'], /takes no value/],
    [['--once', '--root', '/definitely/not/here'], /no such directory/],
    [['--once', '--root', '/etc/hostname'], /not a directory/],
    [['--once', '--node', 'bad node!'], /the --node "bad node!" is not a valid Kubernetes node name/],
    [['--once', '--node', 'under_score'], /not a valid Kubernetes node name \(lowercase letters, digits/],
    [['--once', '--log-level', 'loud'], /--log-level must be one of/],
    [[], /run mode needs --server/],
    [['--server', 'http://x:1'], /needs --token/],
    [['--server', 'ftp://x'], /http:\/\/ or https:\/\//],
    [['--server', 'not a url', '--token', 't'], /not a URL/],
    [['--once', '--token', 't'], /only makes sense with --server/],
  ])('rejects %j', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });

  it('--token on the command line is flagged (the CLI warns: ps shows it); the environment and --token-file are not', () => {
    const file = path.join(tmp, 'token-flagged');
    writeFileSync(file, 'from-file\n');
    expect(config(['--server', 'http://x:1', '--token', 'on-the-command-line']).tokenOnCommandLine).toBe(true);
    expect(config(['--server', 'http://x:1'], { VETHWATCH_AGENT_TOKEN: 'from-env' })).toMatchObject({ token: 'from-env', tokenOnCommandLine: false });
    expect(config(['--server', 'http://x:1', '--token-file', file])).toMatchObject({ token: 'from-file', tokenOnCommandLine: false });
  });

  it('a host name with capitals is lowercased, and the original kept for the log; a valid one is left alone', () => {
    expect(config(['--once'], {}, () => 'Worker-1.Example.COM')).toMatchObject({
      node: 'worker-1.example.com',
      nodeName: { name: 'worker-1.example.com', source: 'host name', lowercasedFrom: 'Worker-1.Example.COM' },
    });
    expect(config(['--once'], { NODE_NAME: 'IP-10-0-0-1' }, () => 'ignored')).toMatchObject({
      node: 'ip-10-0-0-1',
      nodeName: { source: 'NODE_NAME', lowercasedFrom: 'IP-10-0-0-1' },
    });
    expect(config(['--once', '--node', 'n1'], { NODE_NAME: 'other' }).nodeName).toEqual({ name: 'n1', source: '--node', lowercasedFrom: null });
  });

  it('a host name that is not a node name even lowercased is a clear error that says how to fix it', () => {
    const message = usage(['--once'], {}, () => 'My_Laptop');
    expect(message).toContain('the host name "My_Laptop" is not a valid Kubernetes node name');
    expect(message).toContain('give --node NAME (or set NODE_NAME)');
    expect(usage(['--once'], { NODE_NAME: 'bad.' })).toContain('the NODE_NAME "bad." is not a valid Kubernetes node name');
    // --node wins over a bad host name
    expect(config(['--once', '--node', 'good'], {}, () => 'My_Laptop').node).toBe('good');
  });

  it('--help and -h win over everything else, even other errors in the flags', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--interval', '0', '--help'], {})).toEqual({ kind: 'help' });
  });

  it('hands everything after "remediate" to the remediation CLI untouched', () => {
    expect(parseCommandLine(['remediate', '--dry-run', '--whatever'], {})).toEqual({
      kind: 'remediate',
      argv: ['--dry-run', '--whatever'],
    });
  });
});

describe('HELP_TEXT', () => {
  it('documents every flag the parser accepts, with its environment variable', () => {
    for (const flag of FLAGS) {
      expect(HELP_TEXT).toContain(`--${flag.name}`);
      expect(HELP_TEXT).toContain(flag.help);
      if (flag.env) expect(HELP_TEXT).toContain(flag.env);
    }
    // and every flag in the help is one the parser knows
    const mentioned = new Set([...HELP_TEXT.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]));
    for (const name of mentioned) expect(FLAGS.map((f) => f.name)).toContain(name);
  });

  it('tells how to pipe --once through npm and lists the exit codes and defaults', () => {
    expect(HELP_TEXT).toContain('npm run --silent agent -- --once');
    expect(HELP_TEXT).toMatch(/^\s+2\s+usage error/m);
    expect(HELP_TEXT).toContain(String(DEFAULTS.intervalSeconds));
    expect(HELP_TEXT).toContain('/var/lib/vethwatch/spool');
  });
});
