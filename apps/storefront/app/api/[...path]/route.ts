import type { NextRequest } from 'next/server';
import { API_URL } from '../../../lib/api';

/**
 * Read-only pass-through to the API for the few calls the browser makes itself (address pickers), so the page
 * talks to one origin only. The API address is read at run time (API_URL), not baked in at build time.
 */
const ALLOWED = /^admin-units\/[A-Za-z0-9/_-]{1,80}$/;

export async function GET(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }) {
  const path = (await params).path.join('/');
  if (!ALLOWED.test(path)) {
    return Response.json({ statusCode: 404, error: 'Not Found', message: 'Không có đường dẫn này / No such path' }, { status: 404 });
  }
  const res = await fetch(`${API_URL}/api/${path}${request.nextUrl.search}`, { headers: { accept: 'application/json' }, next: { revalidate: 86400 } });
  return new Response(res.body, {
    status: res.status,
    headers: { 'content-type': res.headers.get('content-type') ?? 'application/json', 'cache-control': 'public, max-age=86400' },
  });
}
