// GET /api/v1/nodes/{name}/arp-timeline?from&to&limit&cursor&format: mismatch intervals (ArpTimelineResponse, or CSV).
import { arpTimelineResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  try {
    const { name } = await context.params;
    return await arpTimelineResponse(await getStore(), name, new URL(request.url));
  } catch (err) {
    return errorResponse(err);
  }
}
