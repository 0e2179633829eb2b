// GET /api/v1/nodes: the fleet (FleetView). Thin: the read model lives in lib/nodes/read.ts.
import { errorResponse } from '@/lib/http/errors';
import { getFleet } from '@/lib/nodes/read';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  try {
    return Response.json(await getFleet(), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err);
  }
}
