import 'server-only';
// The server's structured logger: pino, one JSON object per line on stdout, with the same core fields the agent
// writes (level as a word, time as ISO 8601, msg), so one log pipeline parses both.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVEL_ENV = 'VETHWATCH_LOG_LEVEL';
export const SERVER_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type ServerLogLevel = (typeof SERVER_LOG_LEVELS)[number];

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

export function createServerLogger(opts: { level?: ServerLogLevel; destination?: DestinationStream } = {}): Logger {
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
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const KEY = Symbol.for('vethwatch.logger');
type WithLogger = typeof globalThis & { [KEY]?: Logger };

/** The process-wide logger (shared by the custom server and Next's bundled copies of this module). */
export function getLogger(): Logger {
  const g = globalThis as WithLogger;
  if (!g[KEY]) {
    let level: ServerLogLevel = 'info';
    try {
      level = logLevelFromEnv();
    } catch {
      // server/config validates the variable at start-up and refuses to start; here fall back quietly.
    }
    g[KEY] = createServerLogger({ level });
  }
  return g[KEY];
}

/** Replaces the process-wide logger (server start-up with a validated level; tests capturing lines). */
export function setLogger(logger: Logger): void {
  (globalThis as WithLogger)[KEY] = logger;
}
