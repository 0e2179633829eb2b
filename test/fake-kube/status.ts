// metav1.Status bodies exactly as kube-apiserver writes them (apimachinery/pkg/api/errors), so client code is
// exercised against the real failure shapes rather than friendly inventions.

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
  code: number;
}

/** Identifies a resource as errors name it: "jobs.batch", "nodes", "pods". */
export interface ResourceRef {
  resource: string;
  group: string;
}

export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'StatusError';
  }
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function make(code: number, reason: string, message: string, details?: Status['details']): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

export const statusErrors = {
  alreadyExists(ref: ResourceRef, name: string) {
    return make(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, { name, group: ref.group, kind: ref.resource });
  },
  conflict(ref: ResourceRef, name: string) {
    return make(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(ref)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: ref.group, kind: ref.resource },
    );
  },
  notFound(ref: ResourceRef, name: string) {
    return make(404, 'NotFound', `${qualified(ref)} "${name}" not found`, { name, group: ref.group, kind: ref.resource });
  },
  noSuchPath() {
    return make(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  forbidden(ref: ResourceRef, verb: string, user: string, namespace: string | null, subresource: string | null, reason?: string) {
    const resourceWord = subresource ? `${ref.resource}/${subresource}` : ref.resource;
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    const message =
      reason ??
      `${qualified(ref)} is forbidden: User "${user}" cannot ${verb} resource "${resourceWord}" in API group "${ref.group}"${scope}`;
    return make(403, 'Forbidden', message, { group: ref.group, kind: ref.resource });
  },
  unauthorized() {
    return make(401, 'Unauthorized', 'Unauthorized');
  },
  badRequest(message: string) {
    return make(400, 'BadRequest', message);
  },
  methodNotAllowed(method: string) {
    return make(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
  },
  unsupportedMediaType(contentType: string, supported: string[]) {
    return make(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
      { causes: [{ reason: 'UnexpectedServerResponse', message: contentType, field: '' }] },
    );
  },
  invalid(ref: ResourceRef, kind: string, name: string, causes: StatusCause[]) {
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    const summary = list.length > 1 ? `[${list.join(', ')}]` : list[0];
    const qualifiedKind = ref.group ? `${kind}.${ref.group}` : kind;
    return make(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, { name, group: ref.group, kind, causes });
  },
  internal(message: string) {
    return make(500, 'InternalError', message);
  },
  expired(message: string) {
    return make(410, 'Expired', message);
  },
};
