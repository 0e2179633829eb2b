// GET /api/v1/nodes/{name}: the latest full picture of one node (NodeDetail), or 404.
import { errorResponse, NotFoundError } from '@/lib/http/errors';
import { getNode } from '@/lib/nodes/read';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  try {
    const { name } = await context.params;
    const node = await getNode(name);
    if (!node) throw new NotFoundError(`no node named "${name}" has reported`);
    return Response.json(node, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err);
  }
}
