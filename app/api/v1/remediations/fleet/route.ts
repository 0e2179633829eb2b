// POST /api/v1/remediations/fleet {dryRun: true}: preview every at-risk node; {plans: [{node, planId}]}: run them
// in waves under the fleet-wide cap, stopping at the first failure.
import { defaultContext, handleFleetPost } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(request: Request): Promise<Response> {
  return handleFleetPost(request, await defaultContext());
}
