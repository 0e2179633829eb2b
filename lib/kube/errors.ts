import 'server-only';
import { ApiException } from '@kubernetes/client-node';

/** What the API server's `Status` object said, when it said anything. */
export interface KubeStatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
}

interface KubeErrorInit {
  /** HTTP status; 0 when no answer came back from the API server. */
  code: number;
  /** `Status.reason` ('AlreadyExists', 'Forbidden', 'Conflict', ...) or 'Unknown'. */
  reason: string;
  /** `Status.message` as the API server wrote it, or the transport error's message. */
  statusMessage: string;
  details?: KubeStatusDetails | null;
  cause?: unknown;
}

/** Any failed call to the Kubernetes API. `message` is "<action>: <Status.message>". */
export class KubeError extends Error {
  /** What we were doing, e.g. "dry-run create Job vethwatch/vethwatch-remediate-…". */
  readonly action: string;
  readonly code: number;
  readonly reason: string;
  readonly statusMessage: string;
  readonly details: KubeStatusDetails | null;

  constructor(action: string, init: KubeErrorInit) {
    super(`${action}: ${init.statusMessage}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.action = action;
    this.code = init.code;
    this.reason = init.reason;
    this.statusMessage = init.statusMessage;
    this.details = init.details ?? null;
  }
}

/** 409: the object already exists (`reason` 'AlreadyExists') or changed under us (`reason` 'Conflict'). */
export class KubeConflictError extends KubeError {}
/** 403: RBAC or an admission controller said no; `statusMessage` says who and why. */
export class KubeForbiddenError extends KubeError {}
/** 404. */
export class KubeNotFoundError extends KubeError {}
/** 401: our credentials were rejected. */
export class KubeUnauthorizedError extends KubeError {}
/** 422 (or 400 from validation): the object was refused; `details.causes` names the fields. */
export class KubeInvalidError extends KubeError {}
/** The API server could not be reached (connection refused, DNS, TLS, reset). `code` is 0. */
export class KubeUnreachableError extends KubeError {}

/** The kubeconfig or in-cluster configuration is present but unusable. */
export class KubeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeConfigError';
  }
}

interface StatusObject {
  kind?: unknown;
  reason?: unknown;
  message?: unknown;
  details?: unknown;
}

function parseStatus(body: unknown): StatusObject | null {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (value && typeof value === 'object' && (value as StatusObject).kind === 'Status') return value as StatusObject;
  return null;
}

const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Turns whatever client-node threw into a typed KubeError; KubeErrors pass through unchanged. */
export function toKubeError(err: unknown, action: string): KubeError {
  if (err instanceof KubeError) return err;
  const httpCode = httpStatusOf(err);
  if (httpCode === null) {
    const message = err instanceof Error ? err.message : String(err);
    return new KubeUnreachableError(action, { code: 0, reason: 'Unreachable', statusMessage: message, cause: err });
  }
  const status = parseStatus((err as { body?: unknown }).body);
  const reason = typeof status?.reason === 'string' && status.reason ? status.reason : (REASON_BY_CODE[httpCode] ?? 'Unknown');
  const statusMessage =
    typeof status?.message === 'string' && status.message
      ? status.message
      : typeof (err as { body?: unknown }).body === 'string' && (err as { body: string }).body.trim()
        ? (err as { body: string }).body.trim().slice(0, 500)
        : `HTTP ${httpCode} ${reason}`;
  const details = status?.details && typeof status.details === 'object' ? (status.details as KubeStatusDetails) : null;
  const init: KubeErrorInit = { code: httpCode, reason, statusMessage, details, cause: err };
  switch (httpCode) {
    case 401:
      return new KubeUnauthorizedError(action, init);
    case 403:
      return new KubeForbiddenError(action, init);
    case 404:
      return new KubeNotFoundError(action, init);
    case 409:
      return new KubeConflictError(action, init);
    case 422:
      return new KubeInvalidError(action, init);
    case 400:
      return reason === 'Invalid' ? new KubeInvalidError(action, init) : new KubeError(action, init);
    default:
      return new KubeError(action, init);
  }
}

/** The HTTP status of an ApiException (or a watch error, which carries `statusCode`), else null. */
function httpStatusOf(err: unknown): number | null {
  if (err instanceof ApiException && typeof err.code === 'number') return err.code;
  if (err && typeof err === 'object') {
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    if (typeof statusCode === 'number' && statusCode >= 100) return statusCode;
    if (typeof code === 'number' && code >= 100 && code < 600) return code;
  }
  return null;
}

/** Runs one API call and rethrows its failure as a typed KubeError naming the action. */
export async function kubeCall<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeError(err, action);
  }
}
