// GET /api/v1/nodes/{name}/link-files/history?from&to&path&limit&cursor&format: link file versions with diffs and
// drift findings (LinkFileHistoryResponse, or CSV of the versions).
import { linkFileHistoryResponse } from '@/lib/history/http';
import { errorResponse } from '@/lib/http/errors';
import { getStore } from '@/lib/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  try {
    const { name } = await context.params;
    return await linkFileHistoryResponse(await getStore(), name, new URL(request.url));
  } catch (err) {
    return errorResponse(err);
  }
}
