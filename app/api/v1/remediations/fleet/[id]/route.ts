// GET /api/v1/remediations/fleet/{id}: a fleet run's progress.
import { defaultContext, handleFleetGet } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleFleetGet(request, (await context.params).id, await defaultContext());
}
