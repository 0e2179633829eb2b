import 'server-only';
// Why a remediation request was refused. Each is an HttpError subclass, so the one mapping helper
// (lib/http/errors.ts) turns it into its status and {error} body; `code` lets tests and callers tell them apart.
import { ConflictError, ValidationError, type ErrorBody } from '../http/errors';
import type { RemediationErrorCode } from './types';

export type RemediationConflictCode = Extract<RemediationErrorCode, 'active' | 'cap' | 'paused' | 'stale-plan' | 'expired' | 'already-applied' | 'job-exists'>;

/** 409: the request is well-formed but the fleet's state forbids it now. */
export class RemediationConflictError extends ConflictError {
  constructor(
    readonly code: RemediationConflictCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemediationConflictError';
  }
  override body(): ErrorBody {
    const body: ErrorBody & { code: RemediationErrorCode } = { error: this.message, code: this.code };
    return body;
  }
}

export type RemediationRefusalCode = Extract<RemediationErrorCode, 'nothing-to-do' | 'no-executor' | 'not-local-node' | 'dry-run-refused'>;

/** 422: this remediation cannot run as asked (nothing to fix, no executor for that node, Kubernetes refused the Job). */
export class RemediationRefusedError extends ValidationError {
  constructor(
    readonly code: RemediationRefusalCode,
    message: string,
  ) {
    super([], message);
    this.name = 'RemediationRefusedError';
  }
  override body(): ErrorBody {
    const body: ErrorBody & { code: RemediationErrorCode } = { error: this.message, code: this.code };
    return body;
  }
}
