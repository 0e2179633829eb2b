import 'server-only';
// Agents write reports; they never read. On a people path the shared agent token is removed from the request
// before it reaches a route, so it reads as an anonymous viewer, never more. Any other bearer on a people path is
// left to the route as what it is there: an operator token, valid or not. Nothing here asks the API server
// (TokenReview runs only on the agents' paths), so an anonymous request cannot make the server call it.
import type { IncomingMessage } from 'node:http';
import type { AgentAuthenticator } from '../lib/auth/agentIdentity';
import { isAgentPath } from './listeners';

export function stripAgentCredential(req: IncomingMessage, pathname: string, auth: AgentAuthenticator): void {
  if (!req.headers.authorization || isAgentPath(pathname)) return;
  if (auth.isSharedToken(req.headers.authorization)) delete req.headers.authorization;
}
