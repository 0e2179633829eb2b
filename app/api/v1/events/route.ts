// GET /api/v1/events?from&to&node&type&order&limit&cursor&format: fleet-wide history (EventsResponse, or CSV).
import { eventsResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  try {
    return await eventsResponse(await getStore(), new URL(request.url));
  } catch (err) {
    return errorResponse(err);
  }
}
