// `npm run agent -- ...`: flags and modes only. --once prints or sends one report; otherwise the agent runs until
// SIGTERM/SIGINT; `remediate ...` is handed to agent/remediate. Everything for humans goes to stderr as JSON log
// lines, so stdout carries exactly one JSON document in --once mode.
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { HELP_TEXT, parseCommandLine, UsageError, type AgentConfig, type Env } from './config';
import { sendOnce } from './deliver/once';
import { createLogger, type Logger } from './log';
import { httpSender, runAgent, type ScanFn } from './watch/run';

export const EXIT = { ok: 0, refused: 1, usage: 2, failed: 3 } as const;

export interface CliDeps {
  /** Default: agent/scan.ts. Tests inject deterministic reports. */
  scan?: ScanFn;
  env?: Env;
  /** The host name, when neither --node nor NODE_NAME is given (default os.hostname). */
  host?: () => string;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Run mode stops when this aborts; default: on SIGTERM or SIGINT. */
  signal?: AbortSignal;
}

async function defaultScan(): Promise<ScanFn> {
  const { scan } = await import('./scan');
  return scan;
}

/** Anything a library prints with console.log would corrupt the report on stdout; make it a log line instead. */
function keepStdoutClean(log: Logger): void {
  const toLog = (...args: unknown[]) => log.info(format(...args), { source: 'console' });
  console.log = toLog;
  console.info = toLog;
  console.debug = toLog;
}

function stopSignal(log: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warn('second signal: exiting now', { signal: name });
      process.exit(130);
    }
    log.info('signal received; stopping', { signal: name });
    controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return controller.signal;
}

/** --remediate: this node's remediations, beside the reports (agent/remediate/pull.ts). */
async function startRemediating(config: AgentConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const { runRemediationPuller } = await import('./remediate/pull');
  const { tokenFromFile } = await import('./deliver/token');
  const token = config.tokenFile ? tokenFromFile(config.tokenFile, config.token) : config.token!;
  await runRemediationPuller({ server: config.server!, token, node: config.node, root: config.root, requestTimeoutMs: config.requestTimeoutMs, log }, signal).catch((e: unknown) =>
    log.error('carrying out remediations stopped', { error: e }),
  );
}

async function once(config: AgentConfig, scan: ScanFn, log: Logger, out: (text: string) => void): Promise<number> {
  let report;
  try {
    report = await scan({ root: config.root, cniConfDir: config.cniConfDir, node: config.node, intervalSeconds: config.intervalSeconds, droppedReports: 0 });
  } catch (err) {
    log.error('collection failed', { error: err });
    return EXIT.failed;
  }
  if (!config.server) {
    out(JSON.stringify(report) + '\n');
    return EXIT.ok;
  }
  const accepted = await sendOnce(report, httpSender(config), log);
  return accepted ? EXIT.ok : EXIT.refused;
}

export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  const out = deps.out ?? ((t: string) => process.stdout.write(t));

  let command;
  try {
    command = parseCommandLine(argv, deps.env ?? process.env, deps.host);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`vethwatch agent: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  if (command.kind === 'help') {
    out(HELP_TEXT);
    return EXIT.ok;
  }
  if (command.kind === 'remediate') {
    const { runRemediate } = await import('./remediate/cli');
    return runRemediate(command.argv);
  }
  if (command.kind === 'verify') {
    const { runVerify } = await import('./verify/cli');
    return runVerify(command.argv, { env: deps.env, host: deps.host, ...(deps.out ? { out: deps.out } : {}), ...(deps.err ? { err: deps.err } : {}), signal: deps.signal });
  }

  const { config } = command;
  const log = createLogger({ level: config.logLevel, write: (line) => err(line + '\n') });
  if (!deps.out) keepStdoutClean(log);
  if (config.tokenOnCommandLine) {
    log.warn('--token is visible to every user of this host in the process list (ps, /proc/<pid>/cmdline); use VETHWATCH_AGENT_TOKEN or --token-file');
  }
  if (config.nodeName.lowercasedFrom !== null) {
    log.warn(`the ${config.nodeName.source} is not lowercase; reporting as the Kubernetes node name "${config.node}"`, {
      given: config.nodeName.lowercasedFrom,
      node: config.node,
    });
  }
  const scan = deps.scan ?? (await defaultScan());

  if (config.once) return once(config, scan, log, out);

  const signal = deps.signal ?? stopSignal(log);
  // Stops remediating when run mode stops, by signal or by failing.
  const stopRemediating = new AbortController();
  signal.addEventListener('abort', () => stopRemediating.abort(), { once: true });
  const remediating = config.remediate ? startRemediating(config, log, stopRemediating.signal) : null;
  try {
    await runAgent(config, { scan, log }, signal);
  } catch (e) {
    log.error('agent failed', { error: e });
    return EXIT.failed;
  } finally {
    stopRemediating.abort();
    await remediating;
  }
  return EXIT.ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`vethwatch agent: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
