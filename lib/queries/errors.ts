// Typed failures of the API as the browser sees them, so the UI can tell "no such node" from "server down".
export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export class NodeNotFoundError extends ApiError {
  readonly node: string;
  constructor(node: string) {
    super(`no node named "${node}" has reported`, 404);
    this.name = 'NodeNotFoundError';
    this.node = node;
  }
}

/** A refused mutation: the status and the server's own words, plus its machine code when it sent one. */
export class MutationError extends ApiError {
  readonly code: string | null;
  constructor(message: string, status: number, code: string | null) {
    super(message, status);
    this.name = 'MutationError';
    this.code = code;
  }
}
