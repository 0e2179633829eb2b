import 'server-only';
// Typed errors and the ONE place that turns any thrown value into an HTTP status and a JSON body {error, issues?}.
// Next route handlers use errorResponse(); the custom server's node:http handlers use lib/http/node.ts, which
// calls the same toHttpError(). Anything that is not an HttpError becomes a 500 with no detail: stacks stay in
// the server log.
import type { z } from 'zod';
import { getLogger } from '../log/logger';

/** A zod issue made JSON-safe (symbol path keys become strings). */
export type ValidationIssue = Omit<z.core.$ZodIssue, 'path'> & { path: (string | number)[] };

export interface ErrorBody {
  error: string;
  issues?: ValidationIssue[];
}

export abstract class HttpError extends Error {
  abstract readonly status: number;
  headers(): Record<string, string> {
    return {};
  }
  body(): ErrorBody {
    return { error: this.message };
  }
}

/** Come back later, with Retry-After: 429 when this client asked too much, 503 when the server is full or cannot check. */
export abstract class RetryLaterError extends HttpError {
  abstract override readonly status: 429 | 503;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
  override headers() {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

export class BadJsonError extends HttpError {
  readonly status = 400;
  constructor(message = 'request body is not valid JSON') {
    super(message);
    this.name = 'BadJsonError';
  }
}

export class AuthError extends HttpError {
  readonly status = 401;
  constructor(message = 'missing or invalid bearer token') {
    super(message);
    this.name = 'AuthError';
  }
  override headers() {
    return { 'www-authenticate': 'Bearer realm="vethwatch"' };
  }
}

export class ForbiddenError extends HttpError {
  readonly status = 403;
  constructor(message = 'forbidden') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends HttpError {
  readonly status = 404;
  constructor(message = 'not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
  readonly status = 405;
  constructor(readonly allow: readonly string[]) {
    super(`method not allowed; use ${allow.join(', ')}`);
    this.name = 'MethodNotAllowedError';
  }
  override headers() {
    return { allow: this.allow.join(', ') };
  }
}

export class ConflictError extends HttpError {
  readonly status = 409;
  constructor(message = 'conflict') {
    super(message);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends HttpError {
  readonly status = 413;
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

export class ValidationError extends HttpError {
  readonly status = 422;
  constructor(
    readonly issues: ValidationIssue[],
    message = 'request body failed validation',
  ) {
    super(message);
    this.name = 'ValidationError';
  }
  static fromZod(error: z.ZodError, message?: string): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({
        ...issue,
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      })) as ValidationIssue[],
      message,
    );
  }
  override body(): ErrorBody {
    return { error: this.message, issues: this.issues };
  }
}

export interface HttpErrorMapping {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** The one mapping from a thrown value to status, body and headers. Logs what it hides. */
export function toHttpError(err: unknown): HttpErrorMapping {
  if (err instanceof HttpError) {
    return { status: err.status, body: err.body(), headers: err.headers() };
  }
  getLogger().error({ err }, 'vethwatch: unhandled error');
  return { status: 500, body: { error: 'internal error' }, headers: {} };
}

/** For Next route handlers. */
export function errorResponse(err: unknown): Response {
  const { status, body, headers } = toHttpError(err);
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}
