import 'server-only';
// Agents write reports; they never read. The UI's API (/api/...) answers an agent's credential as it answers an
// anonymous viewer, never more: the shared agent token is removed from the request before it reaches a route, and
// a cluster agent's service-account token is refused with 403, so no agent can read another node's data with it.
import type { IncomingMessage } from 'node:http';
import type { AgentAuthenticator } from '../lib/auth/agentIdentity';
import { ForbiddenError } from '../lib/http/errors';

export async function guardAgentCredential(req: IncomingMessage, pathname: string, auth: AgentAuthenticator): Promise<void> {
  if (!req.headers.authorization || !pathname.startsWith('/api/')) return;
  const kind = await auth.isAgentToken(req.headers.authorization);
  if (kind === 'shared') delete req.headers.authorization;
  else if (kind === 'service-account') throw new ForbiddenError('agent credentials cannot read the vethwatch API');
}
