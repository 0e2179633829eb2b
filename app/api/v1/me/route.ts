// GET /api/v1/me: who the caller is (operator or proxy user name, role, via), whether they may remediate, whether any
// operator is configured at all, and which executor would run it.
import { defaultContext, handleMe } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  return handleMe(request, await defaultContext());
}
