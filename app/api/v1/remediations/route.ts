// GET /api/v1/remediations?node=&status=&include=planned&limit=: remediations fleet-wide, newest first.
import { defaultContext, handleRemediationsList } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  return handleRemediationsList(request, await defaultContext());
}
