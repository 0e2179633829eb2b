import 'server-only';
// /api/v1/agent/* on plain node:http, next to POST /api/v1/reports (the agent's other lean path): the local agent
// claims its node's pending remediation and posts the run's outcome (localExecutor.ts). Order matters, as for
// reports: the credential is checked before a byte of the body is read, the body is capped before it is buffered,
// and it is validated with the shared schema (lib/report/remediation.ts) before anything changes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AgentCredential } from '../auth/agentIdentity';
import { BadJsonError, ForbiddenError, MethodNotAllowedError, NotFoundError, ValidationError } from '../http/errors';
import { readBody, RequestAbortedError, sendError, sendJson } from '../http/node';
import {
  AGENT_CLAIM_PATH,
  AGENT_RESULT_PATH,
  agentClaimSchema,
  agentRunReportSchema,
  MAX_AGENT_RESULT_BYTES,
} from '../report/remediation';
import type { RemediationDeps } from './deps';
import { claimLocal, reportLocal } from './localExecutor';

const MAX_CLAIM_BYTES = 4 * 1024;

export interface AgentApiDeps {
  /** The agent authenticator the report path uses (lib/auth/agentIdentity.ts). */
  authenticate: (authorization: string | undefined) => Promise<AgentCredential>;
  remediation: () => Promise<RemediationDeps>;
}

async function readJson<T extends z.ZodType>(req: IncomingMessage, limit: number, schema: T, hint: string): Promise<z.infer<T>> {
  const text = (await readBody(req, limit)).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BadJsonError();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, hint);
  return parsed.data;
}

/** A cluster agent's token names its node: it may act for that node only. The shared token may name any. */
function requireNode(credential: AgentCredential, node: string): void {
  if (credential.kind === 'service-account' && credential.node !== node) {
    throw new ForbiddenError(`this agent runs on node "${credential.node}", not "${node}"`);
  }
}

export async function handleAgentApiRequest(req: IncomingMessage, res: ServerResponse, pathname: string, deps: AgentApiDeps): Promise<void> {
  try {
    const result = AGENT_RESULT_PATH.exec(pathname);
    if (pathname !== AGENT_CLAIM_PATH && !result) throw new NotFoundError(`no agent endpoint ${pathname}`);
    if (req.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    const credential = await deps.authenticate(req.headers.authorization);

    if (pathname === AGENT_CLAIM_PATH) {
      const { node } = await readJson(req, MAX_CLAIM_BYTES, agentClaimSchema, 'send {"node": "<this node>"}');
      requireNode(credential, node);
      const assignment = await claimLocal(await deps.remediation(), node);
      if (!assignment) {
        res.writeHead(204, { 'cache-control': 'no-store' }).end();
        return;
      }
      sendJson(res, 200, assignment);
      return;
    }

    const body = await readJson(req, MAX_AGENT_RESULT_BYTES, agentRunReportSchema, 'send {"exitCode", "output": <the agent remediate document>, "log"}');
    // The node the run was for, as the agent's own document says (a plan mismatch carries the node's current plan).
    const node = 'plan' in body.output ? body.output.plan.node : body.output.node;
    requireNode(credential, node);
    const record = await reportLocal(await deps.remediation(), result![1], node, body);
    sendJson(res, 200, { remediationId: record.id, status: record.status });
  } catch (err) {
    if (err instanceof RequestAbortedError) {
      res.destroy();
      return;
    }
    sendError(res, err);
  }
}
