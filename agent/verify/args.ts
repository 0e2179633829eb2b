// `verify` flags: its own small parser, so the collect/run flag table (agent/config.ts) stays about reporting.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { UsageError, type Env } from '../config';
import { NodeNameError, resolveNodeName } from '../nodeName';

export interface VerifyConfig {
  durationSeconds: number;
  everySeconds: number;
  node: string;
  server: URL | null;
  tokenFile: string | null;
  /** From VETHWATCH_AGENT_TOKEN or the file; never from the command line (it would show in ps). */
  token: string | null;
  timeoutMs: number;
}

export const VERIFY_HELP = `vethwatch agent verify: proof over time that udev keeps new veths' MACs on this node.

Usage:
  npm run agent -- verify --watch DURATION [--every 60s] [--node NAME] [--server URL --token-file F]

Every --every (default 60s) for --watch (e.g. 10m, 24h; at most 7d), makes a probe veth the way the VPC CNI before
v1.20.1 does (in a namespace it creates, then moved to the host), waits for udevd (udevadm settle), records whether
its MAC was kept, and deletes the veth and namespace again. Prints one JSON document on stdout at the end and, with
--server, posts it to <server>/api/v1/agent/verifications (token from --token-file or VETHWATCH_AGENT_TOKEN). Needs
root and a running systemd-udevd (without one the result is "inconclusive").

Exit codes: 0 every MAC kept; 1 a MAC was rewritten, or the result is inconclusive, or the server refused it;
2 usage error; 3 the server could not be reached.
`;

/** "90", "90s", "15m", "24h", "7d". */
export function parseDuration(flag: string, raw: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(raw);
  if (!m) throw new UsageError(`--${flag} needs a duration like 90s, 15m, 24h or 7d, got "${raw}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

const VALUED = new Set(['watch', 'every', 'node', 'server', 'token-file', 'timeout']);

export function parseVerifyArgs(argv: string[], env: Env, host?: () => string): VerifyConfig | 'help' {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !VALUED.has(m[1])) throw new UsageError(`verify: unknown argument "${arg}" (see verify --help)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${m[1]} needs a value`);
    if (flags.has(m[1])) throw new UsageError(`--${m[1]} given more than once`);
    flags.set(m[1], value);
  }
  if (!flags.has('watch')) throw new UsageError('verify needs --watch DURATION');
  const durationSeconds = parseDuration('watch', flags.get('watch')!);
  const everySeconds = flags.has('every') ? parseDuration('every', flags.get('every')!) : 60;
  if (durationSeconds < 1 || durationSeconds > 7 * 86400) throw new UsageError('--watch must be between 1s and 7d');
  if (everySeconds < 1 || everySeconds > 3600) throw new UsageError('--every must be between 1s and 1h');
  if (everySeconds > durationSeconds) throw new UsageError('--every must not be longer than --watch');

  let node: string;
  try {
    node = resolveNodeName({ flag: flags.get('node'), env: env.NODE_NAME || undefined }, host).name;
  } catch (e) {
    if (e instanceof NodeNameError) throw new UsageError(e.message);
    throw e;
  }

  const rawServer = flags.get('server') ?? (env.VETHWATCH_SERVER || undefined);
  let server: URL | null = null;
  if (rawServer) {
    try {
      server = new URL(rawServer);
    } catch {
      throw new UsageError(`--server is not a URL: "${rawServer}"`);
    }
    if (server.protocol !== 'http:' && server.protocol !== 'https:') throw new UsageError('--server must be http:// or https://');
  }
  const tokenFile = flags.has('token-file') ? path.resolve(flags.get('token-file')!) : null;
  let token = env.VETHWATCH_AGENT_TOKEN || null;
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim() || null;
    } catch (e) {
      throw new UsageError(`--token-file ${tokenFile}: ${(e as Error).message}`);
    }
  }
  if (server && !token) throw new UsageError('--server needs --token-file or VETHWATCH_AGENT_TOKEN');
  const timeout = flags.has('timeout') ? parseDuration('timeout', flags.get('timeout')!) : 10;
  return { durationSeconds, everySeconds, node, server, tokenFile, token: server ? token : null, timeoutMs: Math.min(Math.max(timeout, 1), 600) * 1000 };
}
