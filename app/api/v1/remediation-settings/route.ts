// GET /api/v1/remediation-settings: pause switch and cap. PUT {paused, reason, maxConcurrent}: operators only.
import { defaultContext, handleSettingsGet, handleSettingsPut } from '@/lib/remediation/handlers';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  return handleSettingsGet(request, await defaultContext());
}

export async function PUT(request: Request): Promise<Response> {
  return handleSettingsPut(request, await defaultContext());
}
