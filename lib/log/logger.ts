import 'server-only';
// The server's structured logger: pino, one JSON object per line on stdout, with the same core fields the agent
// writes (level as a word, time as ISO 8601, msg), so one log pipeline parses both. A person at a terminal
// (`npm start`) gets the same records as readable lines instead (pino-pretty, in-process and synchronous);
// containers and pipes keep JSON.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const LOG_LEVEL_ENV = 'VETHWATCH_LOG_LEVEL';
export const SERVER_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type ServerLogLevel = (typeof SERVER_LOG_LEVELS)[number];

export const LOG_FORMAT_ENV = 'VETHWATCH_LOG_FORMAT';
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class LogConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogConfigError';
  }
}

export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): ServerLogLevel {
  const raw = env[LOG_LEVEL_ENV]?.trim().toLowerCase();
  if (!raw) return 'info';
  if (!(SERVER_LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new LogConfigError(`${LOG_LEVEL_ENV} must be one of ${SERVER_LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as ServerLogLevel;
}

/**
 * VETHWATCH_LOG_FORMAT when set (json, pretty); otherwise pretty only when stdout is a terminal. scripts/start.sh
 * pipes the server's stdout (to spot its ready line), so it decides for the terminal it runs in and says so here.
 */
export function logFormatFromEnv(env: Record<string, string | undefined> = process.env, stdoutIsTTY = process.stdout.isTTY === true): LogFormat {
  const raw = env[LOG_FORMAT_ENV]?.trim().toLowerCase();
  if (!raw) return stdoutIsTTY ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) throw new LogConfigError(`${LOG_FORMAT_ENV} must be one of ${LOG_FORMATS.join(', ')}, got "${raw}"`);
  return raw as LogFormat;
}

/** Readable lines: time, LEVEL, message, then the record's other fields indented below it. */
function prettyDestination(destination: DestinationStream | undefined, colorize: boolean): DestinationStream {
  return pretty({
    ...(destination ? { destination } : { destination: 1 }),
    sync: true,
    colorize,
    messageKey: 'msg',
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'component',
  });
}

export function createServerLogger(opts: { level?: ServerLogLevel; format?: LogFormat; destination?: DestinationStream } = {}): Logger {
  const destination =
    opts.format === 'pretty' ? prettyDestination(opts.destination, !opts.destination && process.stdout.isTTY === true) : (opts.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: opts.level ?? 'info',
      base: { component: 'vethwatch-server' },
      messageKey: 'msg',
      // Words rather than pino's numbers, and ISO time rather than epoch ms: the agent's format (agent/log.ts).
      formatters: { level: (label) => ({ level: label }) },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination,
  );
}

const KEY = Symbol.for('vethwatch.logger');
type WithLogger = typeof globalThis & { [KEY]?: Logger };

/** The process-wide logger (shared by the custom server and Next's bundled copies of this module). */
export function getLogger(): Logger {
  const g = globalThis as WithLogger;
  if (!g[KEY]) {
    let level: ServerLogLevel = 'info';
    let format: LogFormat = 'json';
    try {
      level = logLevelFromEnv();
      format = logFormatFromEnv();
    } catch {
      // server/run.ts validates both variables at start-up and refuses to start; here fall back quietly.
    }
    g[KEY] = createServerLogger({ level, format });
  }
  return g[KEY];
}

/** Replaces the process-wide logger (server start-up with a validated level; tests capturing lines). */
export function setLogger(logger: Logger): void {
  (globalThis as WithLogger)[KEY] = logger;
}
