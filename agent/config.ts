// The agent's command line: one table of flags that both the parser and `--help` read, so the help cannot
// forget a flag the parser accepts. Parsing turns argv + environment into a typed command or a UsageError.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOG_LEVELS, type LogLevel } from './log';
import { NodeNameError, resolveNodeName, type ResolvedNodeName } from './nodeName';

export const DEFAULT_SPOOL_DIR = '/var/lib/vethwatch/spool';
export const DEFAULTS = {
  intervalSeconds: 15,
  root: '/',
  spoolDir: DEFAULT_SPOOL_DIR,
  spoolMaxReports: 500,
  spoolMaxBytes: 50 * 1024 * 1024,
  timeoutSeconds: 10,
  logLevel: 'info' as LogLevel,
} as const;


/** The environment variables the agent reads; a plain record so tests can pass their own. */
export type Env = Record<string, string | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface AgentConfig {
  /** Collect one report, print or send it, exit. */
  once: boolean;
  /** Base URL of the vethwatch server; reports go to `<server>/api/v1/reports`. Null: print instead. */
  server: URL | null;
  /** The token as read at start (from --token, --token-file or the environment). */
  token: string | null;
  /** Set with --token-file: the file is read again before each send (projected tokens rotate). */
  tokenFile?: string;
  /** The token came from --token, so anyone who can list processes can read it (warned about at start). */
  tokenOnCommandLine: boolean;
  intervalSeconds: number;
  /** Host filesystem root every host file is read under. Absolute. */
  root: string;
  /** --cni-conf-dir: read the CNI config from this directory instead of <root>/etc/cni/net.d (the lab uses it). */
  cniConfDir?: string;
  /** --node, NODE_NAME or the host name, lowercased and checked against the report schema's rule (nodeName.ts). */
  node: string;
  /** Where the node name came from, and what it was before lowercasing (logged once at start). */
  nodeName: ResolvedNodeName;
  spoolDir: string;
  spoolMaxReports: number;
  spoolMaxBytes: number;
  /** Follow `ip monitor link` for immediate reports on veth changes (run mode only). */
  watch: boolean;
  requestTimeoutMs: number;
  logLevel: LogLevel;
  /** Run mode: also carry out this node's remediations the server hands out (agent/remediate/pull.ts). */
  remediate?: boolean;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'collect'; config: AgentConfig }
  | { kind: 'remediate'; argv: string[] }
  | { kind: 'verify'; argv: string[] };

interface FlagSpec {
  name: string;
  /** Placeholder for the value; absent for a switch. */
  arg?: string;
  env?: string;
  help: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'once', help: 'Collect one report and exit. Without a server: print it as one JSON document on stdout.' },
  {
    name: 'server',
    arg: 'URL',
    env: 'VETHWATCH_SERVER',
    help: 'Send reports to this vethwatch server (e.g. http://vethwatch:3000). Required unless --once.',
  },
  {
    name: 'token',
    arg: 'TOKEN',
    env: 'VETHWATCH_AGENT_TOKEN',
    help: 'Bearer token the server expects from agents. On the command line it is visible in the process list: prefer the environment variable or --token-file.',
  },
  {
    name: 'token-file',
    arg: 'PATH',
    help: 'Read the token from this file instead (keeps it out of the process list); read again before each send, so a rotating projected ServiceAccount token works.',
  },
  {
    name: 'interval',
    arg: 'SECONDS',
    help: `Seconds between full scans in run mode, 1-86400 (default ${DEFAULTS.intervalSeconds}).`,
  },
  {
    name: 'root',
    arg: 'DIR',
    help: 'Read every host file (link files, dpkg database, logs, CNI files) under DIR instead of / (default /).',
  },
  { name: 'cni-conf-dir', arg: 'DIR', help: 'Read the CNI config files from DIR (not under --root) instead of /etc/cni/net.d.' },
  { name: 'node', arg: 'NAME', env: 'NODE_NAME', help: 'Node name to report as (default: the host name).' },
  {
    name: 'spool-dir',
    arg: 'DIR',
    env: 'VETHWATCH_SPOOL_DIR',
    help: `Where unsent reports wait while the server is unreachable (default ${DEFAULT_SPOOL_DIR}).`,
  },
  {
    name: 'spool-max-reports',
    arg: 'N',
    help: `Keep at most N unsent reports; the oldest are dropped first and counted (default ${DEFAULTS.spoolMaxReports}).`,
  },
  {
    name: 'spool-max-bytes',
    arg: 'BYTES',
    help: `Keep at most this many bytes of unsent reports (default ${DEFAULTS.spoolMaxBytes}, i.e. 50 MiB).`,
  },
  { name: 'no-watch', help: 'Do not follow `ip monitor link`; report only every --interval.' },
  {
    name: 'remediate',
    help: "Run mode: also carry out this node's remediations when the server has no cluster (needs root; npm start uses it).",
  },
  {
    name: 'timeout',
    arg: 'SECONDS',
    help: `Give up on one HTTP request after this long (default ${DEFAULTS.timeoutSeconds}).`,
  },
  { name: 'log-level', arg: 'LEVEL', help: `Least severe log level written to stderr: ${LOG_LEVELS.join(', ')} (default info).` },
  { name: 'help', help: 'Show this help and exit.' },
];

export const HELP_TEXT = `vethwatch agent: reports how udev's MACAddressPolicy treats this node's pod veths.

Usage:
  npm run agent -- --once                          print one report (JSON) on stdout
  npm run --silent agent -- --once | jq .          the same, without npm's own header lines on stdout
  npm run agent -- --once --server URL --token-file F   send one report; exit 0 only if the server accepted it
  npm run agent -- --server URL --token-file F     run until stopped: a scan every --interval, plus an
                                                   immediate report when a veth appears, vanishes or changes MAC
  npm run agent -- remediate --help                fix the node's link policy (see its own help)
  npm run agent -- verify --watch 24h              prove over time that udev keeps new veths' MACs (verify --help)

Flags (--flag VALUE and --flag=VALUE both work):
${FLAGS.map((f) => {
  const head = `  --${f.name}${f.arg ? ` ${f.arg}` : ''}${f.name === 'help' ? ', -h' : ''}`;
  const env = f.env ? ` [env ${f.env}]` : '';
  return `${head.padEnd(30)} ${f.help}${env}`;
}).join('\n')}

Logs go to stderr as JSON lines ({"level","msg","time",...}); stdout carries only the report in --once mode.
Collection reads the host and never writes to it; the only files the agent writes are its own spool.

Spool: while the server is unreachable, reports wait in --spool-dir and are sent in order when it returns.
A report leaves the spool only after the server accepted it. When the spool is full the oldest reports are dropped
and the next report sent says how many (agent.droppedReports). Reports the server rejects as malformed
(400/413/422) are moved to <spool-dir>/rejected with the server's answer.

Exit codes:
  0  ok (report printed, or accepted by the server; run mode stopped by SIGTERM/SIGINT)
  1  --once: the server refused the report, or could not be reached in 3 tries
  2  usage error (unknown flag, bad value)
  3  the collection itself failed, or run mode could not start (e.g. the spool directory is not writable)
`;

const byName = new Map(FLAGS.map((f) => [f.name, f]));

function positiveInt(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} needs a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function serverUrl(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source} is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http:// or https:// URL, got "${raw}"`);
  }
  return url;
}

function readToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${file}: ${(err as Error).message}`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`--token-file ${file} is empty`);
  return token;
}

function directory(flag: string, raw: string): string {
  const abs = path.resolve(raw);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new UsageError(`--${flag} ${raw}: no such directory`);
  }
  if (!isDir) throw new UsageError(`--${flag} ${raw}: not a directory`);
  return abs;
}

/** Split argv into flag values; rejects unknown flags, missing values and stray arguments. */
function collectFlags(argv: string[]): Map<string, string | true> {
  const seen = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      seen.set('help', true);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}" (see --help)`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (seen.has(name)) throw new UsageError(`--${name} given more than once`);
    if (!spec.arg) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      seen.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value: --${name} ${spec.arg}`);
    seen.set(name, value);
  }
  return seen;
}

/** `host` supplies the host name when neither --node nor NODE_NAME is given (tests pass their own). */
export function parseCommandLine(argv: string[], env: Env = process.env, host?: () => string): Command {
  if (argv[0] === 'remediate') return { kind: 'remediate', argv: argv.slice(1) };
  if (argv[0] === 'verify') return { kind: 'verify', argv: argv.slice(1) };
  const flags = collectFlags(argv);
  if (flags.has('help')) return { kind: 'help' };
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };

  const once = flags.has('once');

  const rawServer = str('server') ?? (env.VETHWATCH_SERVER || undefined);
  const server = rawServer ? serverUrl(rawServer, str('server') ? '--server' : 'VETHWATCH_SERVER') : null;

  if (str('token') && str('token-file')) throw new UsageError('give --token or --token-file, not both');
  const token = str('token') ?? (str('token-file') ? readToken(str('token-file')!) : env.VETHWATCH_AGENT_TOKEN || null);

  if (!server && !once) {
    throw new UsageError('run mode needs --server URL (or VETHWATCH_SERVER); use --once to print one report');
  }
  if (server && !token) {
    throw new UsageError('--server needs --token, --token-file or VETHWATCH_AGENT_TOKEN');
  }
  if (!server && (str('token') || str('token-file'))) {
    throw new UsageError('--token only makes sense with --server');
  }

  if (once && flags.has('remediate')) throw new UsageError('--remediate works in run mode only, not with --once');

  let nodeName: ResolvedNodeName;
  try {
    nodeName = resolveNodeName({ flag: str('node'), env: env.NODE_NAME || undefined }, host);
  } catch (e) {
    if (e instanceof NodeNameError) throw new UsageError(e.message);
    throw e;
  }

  const logLevel = (str('log-level') ?? DEFAULTS.logLevel) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const rawSpool = str('spool-dir') ?? (env.VETHWATCH_SPOOL_DIR || DEFAULTS.spoolDir);

  return {
    kind: 'collect',
    config: {
      once,
      server,
      token: server ? token : null,
      tokenOnCommandLine: str('token') !== undefined,
      ...(server && str('token-file') ? { tokenFile: path.resolve(str('token-file')!) } : {}),
      intervalSeconds: str('interval') ? positiveInt('interval', str('interval')!, 1, 86400) : DEFAULTS.intervalSeconds,
      root: str('root') ? directory('root', str('root')!) : DEFAULTS.root,
      ...(str('cni-conf-dir') ? { cniConfDir: directory('cni-conf-dir', str('cni-conf-dir')!) } : {}),
      node: nodeName.name,
      nodeName,
      spoolDir: path.resolve(rawSpool),
      spoolMaxReports: str('spool-max-reports')
        ? positiveInt('spool-max-reports', str('spool-max-reports')!, 1, 1_000_000)
        : DEFAULTS.spoolMaxReports,
      spoolMaxBytes: str('spool-max-bytes')
        ? positiveInt('spool-max-bytes', str('spool-max-bytes')!, 1024, 2 ** 40)
        : DEFAULTS.spoolMaxBytes,
      watch: !flags.has('no-watch'),
      requestTimeoutMs: (str('timeout') ? positiveInt('timeout', str('timeout')!, 1, 600) : DEFAULTS.timeoutSeconds) * 1000,
      logLevel,
      ...(flags.has('remediate') ? { remediate: true } : {}),
    },
  };
}
