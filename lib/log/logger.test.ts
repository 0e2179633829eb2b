import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '@/agent/log';
import { createServerLogger, LogConfigError, logFormatFromEnv, logLevelFromEnv } from './logger';
import { isValidRequestId, requestIdFor } from './requestId';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, destination };
}

describe('server logger', () => {
  it('writes JSON lines with the agent\'s core fields: level word, ISO time, msg', async () => {
    const { lines, destination } = capture();
    const log = createServerLogger({ level: 'info', destination });
    log.debug('hidden');
    log.warn({ requestId: 'r1', status: 401 }, 'request refused');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ level: 'warn', msg: 'request refused', requestId: 'r1', status: 401, component: 'vethwatch-server' });
    expect(new Date(rec.time).toISOString()).toBe(rec.time);
    const agent = JSON.parse(formatLogLine('warn', 'x'));
    expect(Object.keys(agent).slice(0, 3).sort()).toEqual(['level', 'msg', 'time']);
    expect(typeof agent.level).toBe(typeof rec.level);
  });

  it('takes its level from VETHWATCH_LOG_LEVEL and refuses a bad one', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ VETHWATCH_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(() => logLevelFromEnv({ VETHWATCH_LOG_LEVEL: 'loud' })).toThrow(LogConfigError);
  });
});

describe('log format', () => {
  it('is readable at a terminal and JSON otherwise, unless VETHWATCH_LOG_FORMAT says', () => {
    expect(logFormatFromEnv({}, false)).toBe('json');
    expect(logFormatFromEnv({}, true)).toBe('pretty');
    expect(logFormatFromEnv({ VETHWATCH_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFromEnv({ VETHWATCH_LOG_FORMAT: ' Pretty ' }, false)).toBe('pretty');
    expect(() => logFormatFromEnv({ VETHWATCH_LOG_FORMAT: 'xml' }, true)).toThrow(LogConfigError);
  });

  it('pretty: time, LEVEL and message on one line, the other fields indented below; no JSON', async () => {
    const { lines, destination } = capture();
    const log = createServerLogger({ level: 'info', format: 'pretty', destination });
    log.warn({ requestId: 'r1', status: 401 }, 'request refused');
    log.info('vethwatch listening on http://127.0.0.1:3000 (pid 1)');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: request refused$/);
    expect(lines).toContain('    requestId: "r1"');
    expect(lines.at(-1)).toMatch(/^\[[\d:.]+\] INFO: vethwatch listening on http:\/\/127\.0\.0\.1:3000 \(pid 1\)$/);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
  });
});

describe('request ids', () => {
  it('honours a short plain id and replaces anything else with a UUID', () => {
    expect(requestIdFor('abc-123.x:y_z')).toBe('abc-123.x:y_z');
    expect(requestIdFor(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'has space', 'a'.repeat(129), '-leading', 'quote"s', 'new\nline']) {
      const id = requestIdFor(bad);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isValidRequestId(id)).toBe(true);
    }
  });
});
