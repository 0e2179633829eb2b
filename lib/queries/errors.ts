// Typed failures of the read API as the browser sees them, so the UI can tell "no such node" from "server down".
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
