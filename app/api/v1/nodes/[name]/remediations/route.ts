// GET: the node's active and past remediations. POST {dryRun: true}: preview the plan; POST {planId}: apply it.
import { defaultContext, handleNodeRemediationsGet, handleNodeRemediationsPost } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ name: string }> };

export async function GET(request: Request, context: Ctx): Promise<Response> {
  return handleNodeRemediationsGet(request, (await context.params).name, await defaultContext());
}

export async function POST(request: Request, context: Ctx): Promise<Response> {
  return handleNodeRemediationsPost(request, (await context.params).name, await defaultContext());
}
