// The one error mapping: every typed error's status and body, and nothing leaking from unknown errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { getLogger } from '../log/logger';
import {
  AuthError,
  BadJsonError,
  ConflictError,
  errorResponse,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  toHttpError,
  ValidationError,
} from './errors';

afterEach(() => vi.restoreAllMocks());

describe('toHttpError', () => {
  it.each([
    [new BadJsonError(), 400, 'request body is not valid JSON'],
    [new AuthError(), 401, 'missing or invalid bearer token'],
    [new ForbiddenError(), 403, 'forbidden'],
    [new NotFoundError('no node named "x"'), 404, 'no node named "x"'],
    [new ConflictError('already running'), 409, 'already running'],
    [new PayloadTooLargeError(2097152), 413, 'request body exceeds 2097152 bytes'],
  ])('%s -> %i', (err, status, message) => {
    const mapped = toHttpError(err);
    expect(mapped.status).toBe(status);
    expect(mapped.body).toEqual({ error: message });
  });

  it('401 asks for a bearer token; 405 lists the allowed methods', () => {
    expect(toHttpError(new AuthError()).headers).toEqual({ 'www-authenticate': 'Bearer realm="vethwatch"' });
    const m = toHttpError(new MethodNotAllowedError(['GET', 'HEAD']));
    expect(m.status).toBe(405);
    expect(m.headers).toEqual({ allow: 'GET, HEAD' });
  });

  it('422 carries the zod issues with JSON-safe paths', () => {
    const schema = z.object({ a: z.array(z.number()) });
    const parsed = schema.safeParse({ a: [1, 'x'] });
    expect(parsed.success).toBe(false);
    const err = ValidationError.fromZod(parsed.error!);
    const mapped = toHttpError(err);
    expect(mapped.status).toBe(422);
    expect(mapped.body.error).toBe('request body failed validation');
    expect(mapped.body.issues).toEqual([expect.objectContaining({ code: 'invalid_type', path: ['a', 1], message: expect.any(String) })]);
    expect(JSON.parse(JSON.stringify(mapped.body))).toEqual(mapped.body);
  });

  it('anything else is a bare 500: no message, no stack, logged on the server', () => {
    const log = vi.spyOn(getLogger(), 'error').mockImplementation(() => undefined);
    const secret = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const mapped = toHttpError(secret);
    expect(mapped).toEqual({ status: 500, body: { error: 'internal error' }, headers: {} });
    expect(JSON.stringify(mapped)).not.toContain('hunter2');
    expect(log).toHaveBeenCalledWith({ err: secret }, 'vethwatch: unhandled error');
    expect(toHttpError('a thrown string').status).toBe(500);
  });
});

describe('errorResponse', () => {
  it('builds the Response a route handler returns', async () => {
    const res = errorResponse(new NotFoundError('gone'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'gone' });
  });
});
