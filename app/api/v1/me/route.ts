// GET /api/v1/me: who the caller is (user, role, via), whether they may remediate, and which executor would run it.
import { defaultContext, handleMe } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  return handleMe(request, await defaultContext());
}
