// GET /api/v1/nodes/{name}/host-devices/{ifname}/history?from&to&order&limit&cursor&format (HostDeviceHistoryResponse, or CSV).
import { hostDeviceHistoryResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ name: string; ifname: string }> }): Promise<Response> {
  try {
    const { name, ifname } = await context.params;
    return await hostDeviceHistoryResponse(await getStore(), name, ifname, new URL(request.url));
  } catch (err) {
    return errorResponse(err);
  }
}
