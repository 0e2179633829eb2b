// The name this agent reports as: --node, else NODE_NAME (the pod's spec.nodeName), else the host name. It must be a
// Kubernetes node name (the report schema's rule), because the server keys the node by it and matches it against
// the cluster's Node objects. Like the kubelet, a name with capitals is lowercased (a host named "Worker-1" is the
// Node "worker-1"); anything still invalid is an error the operator has to fix with --node.
import { hostname } from 'node:os';
import { NODE_NAME_RULE, nodeNameSchema } from '../lib/report/schema';

export type NodeNameSource = '--node' | 'NODE_NAME' | 'host name';

export interface ResolvedNodeName {
  name: string;
  source: NodeNameSource;
  /** The name as given, when it had to be lowercased (say so once in the log); otherwise null. */
  lowercasedFrom: string | null;
}

export class NodeNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeNameError';
  }
}

export function resolveNodeName(given: { flag?: string; env?: string }, host: () => string = hostname): ResolvedNodeName {
  const [raw, source]: [string, NodeNameSource] =
    given.flag !== undefined ? [given.flag, '--node'] : given.env ? [given.env, 'NODE_NAME'] : [host(), 'host name'];
  const name = raw.toLowerCase();
  if (!nodeNameSchema.safeParse(name).success) {
    const shown = JSON.stringify(raw.length > 300 ? `${raw.slice(0, 300)}...` : raw);
    const fix = source === '--node' ? 'give a valid --node' : 'give --node NAME (or set NODE_NAME) with the Kubernetes node name';
    throw new NodeNameError(`the ${source} ${shown} is not a valid Kubernetes node name (${NODE_NAME_RULE}); ${fix}`);
  }
  return { name, source, lowercasedFrom: name === raw ? null : raw };
}
