import 'server-only';
// POST /api/v1/agent/verifications on plain node:http, beside the other agent endpoints: the agent's `verify
// --watch` document. The credential is checked before a byte of the body is read, the body is capped before it is
// buffered and validated with the shared schema; a cluster agent may verify only its own node, and only a node
// that has reported (so a shared token cannot fill the store with invented names).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentCredential } from '../auth/agentIdentity';
import { BadJsonError, ForbiddenError, MethodNotAllowedError, NotFoundError, ValidationError } from '../http/errors';
import { readBody, RequestAbortedError, sendError, sendJson } from '../http/node';
import type { Store } from '../store';
import { MAX_VERIFICATION_BYTES, verificationSchema } from './verification';

export interface VerificationHandlerDeps {
  authenticate: (authorization: string | undefined) => Promise<AgentCredential>;
  store: () => Promise<Store>;
  now?: () => Date;
}

export async function handleVerificationRequest(req: IncomingMessage, res: ServerResponse, deps: VerificationHandlerDeps): Promise<void> {
  try {
    if (req.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    const credential = await deps.authenticate(req.headers.authorization);
    const text = (await readBody(req, MAX_VERIFICATION_BYTES)).toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new BadJsonError();
    }
    const parsed = verificationSchema.safeParse(raw);
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'send the document `npm run agent -- verify --watch` prints');
    const v = parsed.data;
    if (credential.kind === 'service-account' && credential.node !== v.node) {
      throw new ForbiddenError(`this agent runs on node "${credential.node}", not "${v.node}"`);
    }
    const store = await deps.store();
    if (!(await store.getNode(v.node))) throw new NotFoundError(`node "${v.node}" has never reported; run the agent there first`);
    const stored = await store.prevention.recordVerification(v, (deps.now?.() ?? new Date()).toISOString());
    sendJson(res, 200, { verificationId: v.verificationId, result: v.result, duplicate: !stored });
  } catch (err) {
    if (err instanceof RequestAbortedError) {
      res.destroy();
      return;
    }
    sendError(res, err);
  }
}
