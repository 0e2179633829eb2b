// POST /api/v1/session {token}: a browser becomes operator with the operator token (signed HttpOnly cookie).
// DELETE /api/v1/session: logs out. Both need the CSRF header from a same-origin page.
import { defaultContext, handleSessionLogin, handleSessionLogout } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(request: Request): Promise<Response> {
  return handleSessionLogin(request, await defaultContext());
}

export async function DELETE(request: Request): Promise<Response> {
  return handleSessionLogout(request, await defaultContext());
}
