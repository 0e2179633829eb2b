// GET /api/v1/remediations/{id}: one remediation with its progress, evidence and verification.
import { defaultContext, handleRemediationGet } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleRemediationGet(request, (await context.params).id, await defaultContext());
}
