// GET /api/v1/nodes/{name}/veths/{ifname}/history?from&to&order&limit&cursor&format (VethHistoryResponse, or CSV).
import { vethHistoryResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ name: string; ifname: string }> }): Promise<Response> {
  try {
    const { name, ifname } = await context.params;
    return await vethHistoryResponse(await getStore(), name, ifname, new URL(request.url));
  } catch (err) {
    return errorResponse(err);
  }
}
