// GET /api/v1/nodes/{name}/host-devices (HostDevicesResponse): the CNI host devices of the last report, each with
// its last MAC change.
import { hostDevicesResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  try {
    const { name } = await context.params;
    return await hostDevicesResponse(await getStore(), name);
  } catch (err) {
    return errorResponse(err);
  }
}
