// POST /api/v1/session {token}: a browser becomes the operator whose token it presents (a server-side session; the
// HttpOnly cookie holds only its random id). Failures are audited and rate limited per client address.
// DELETE /api/v1/session: ends the session for every copy of the cookie. Both need the CSRF proof from our own origin.
import { defaultContext, handleSessionLogin, handleSessionLogout } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(request: Request): Promise<Response> {
  return handleSessionLogin(request, await defaultContext());
}

export async function DELETE(request: Request): Promise<Response> {
  return handleSessionLogout(request, await defaultContext());
}
