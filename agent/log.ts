// The agent's logger: one JSON object per line on stderr, so stdout stays free for the report that `--once` prints
// and a log shipper can parse every line without guessing at formats.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LogRecord extends LogFields {
  level: LogLevel;
  msg: string;
  time: string;
}

/** Error objects stringify to `{}`; keep what a reader needs. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const cause = (value as Error & { cause?: unknown }).cause;
    return { name: value.name, message: value.message, ...(cause === undefined ? {} : { cause: plain(cause) }) };
  }
  return value;
}

export function formatLogLine(level: LogLevel, msg: string, fields: LogFields = {}, now = new Date()): string {
  const record: LogFields = { level, msg, time: now.toISOString() };
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'level' && key !== 'msg' && key !== 'time') record[key] = plain(value);
  }
  return JSON.stringify(record);
}

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = LOG_LEVELS.indexOf(opts.level ?? 'info');
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(level) >= min) write(formatLogLine(level, msg, fields));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that keeps records in memory, for tests that assert what was logged. */
export function createMemoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => records.push(JSON.parse(line) as LogRecord) });
  return Object.assign(logger, { records });
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
