// GET /api/v1/audit?cursor=&from=&to=&node=&limit=: the remediation audit log, newest first.
import { defaultContext, handleAuditGet } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  return handleAuditGet(request, await defaultContext());
}
