// Evaluates rendered RBAC the way the API server's authorizer does for a service account: collect the rules of
// every (Cluster)RoleBinding naming it, and answer whether a request's attributes are covered.
import type { Manifest } from './render';

export interface RequestAttributes {
  verb: string;
  /** API group, '' for core. */
  group: string;
  /** Resource, with "/subresource" when there is one: 'pods/log', 'nodes/status'. */
  resource: string;
  /** Null for cluster-scoped requests. */
  namespace: string | null;
  name: string | null;
}

export interface Grant {
  /** Null: cluster-wide (ClusterRoleBinding). */
  namespace: string | null;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[] | null;
}

export function grantsFor(manifests: Manifest[], sa: { namespace: string; name: string }): Grant[] {
  const roles = new Map<string, Manifest>();
  for (const m of manifests) {
    if (m.kind === 'ClusterRole') roles.set(`ClusterRole//${m.metadata.name}`, m);
    if (m.kind === 'Role') roles.set(`Role/${m.metadata.namespace}/${m.metadata.name}`, m);
  }
  const grants: Grant[] = [];
  for (const b of manifests) {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue;
    const bound = (b.subjects ?? []).some((s: Manifest) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);
    if (!bound) continue;
    const scope = b.kind === 'RoleBinding' ? b.metadata.namespace : null;
    const roleKey = b.roleRef.kind === 'ClusterRole' ? `ClusterRole//${b.roleRef.name}` : `Role/${b.metadata.namespace}/${b.roleRef.name}`;
    const role = roles.get(roleKey);
    if (!role) throw new Error(`${b.kind} ${b.metadata.name} refers to missing ${roleKey}`);
    for (const r of role.rules ?? []) {
      grants.push({ namespace: scope, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], verbs: r.verbs ?? [], resourceNames: r.resourceNames ?? null });
    }
  }
  return grants;
}

export function allows(grants: Grant[], a: RequestAttributes): boolean {
  return grants.some(
    (g) =>
      (g.namespace === null || g.namespace === a.namespace) &&
      (g.apiGroups.includes(a.group) || g.apiGroups.includes('*')) &&
      (g.resources.includes(a.resource) || g.resources.includes('*')) &&
      (g.verbs.includes(a.verb) || g.verbs.includes('*')) &&
      (g.resourceNames === null || (a.name !== null && g.resourceNames.includes(a.name))),
  );
}

/** Request attributes from an API path, method and query (as kube-apiserver's RequestInfo derives them). */
export function attributesOf(method: string, pathname: string, query: Record<string, string>): RequestAttributes {
  const parts = pathname.split('/').filter(Boolean);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') rest = parts.slice(2);
  else {
    group = parts[1];
    rest = parts.slice(3);
  }
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name = null, sub = null] = rest;
  const watch = query.watch === 'true' || query.watch === '1';
  const verb =
    method === 'POST' ? 'create' : method === 'PATCH' ? 'patch' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : name ? 'get' : watch ? 'watch' : 'list';
  return { verb, group, resource: sub ? `${resource}/${sub}` : resource, namespace, name };
}
