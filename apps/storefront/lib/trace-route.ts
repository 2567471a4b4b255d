import { createHash } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { API_URL } from './api';
import type { Lang } from './i18n';
import { renderTraceNotFound, renderTracePage, type TraceDocument } from './trace-html';

/**
 * The page a shopper's phone opens when it scans the QR code on a pack (GS1 Digital Link path). Plain server HTML
 * with inline CSS and no JavaScript at all: it must open fast on a cheap phone over a weak mobile link.
 */
export async function traceResponse(request: NextRequest, gtin: string, lot: string, serial?: string): Promise<Response> {
  const qlang = request.nextUrl.searchParams.get('lang');
  const lang: Lang = qlang === 'en' || qlang === 'vi' ? qlang : request.cookies.get('lang')?.value === 'en' ? 'en' : 'vi';
  const apiPath = `/api/trace/01/${encodeURIComponent(gtin)}/10/${encodeURIComponent(lot)}${serial ? `/21/${encodeURIComponent(serial)}` : ''}`;
  const forwarded = request.headers.get('x-forwarded-for') ?? '';
  const res = await fetch(`${API_URL}${apiPath}`, {
    cache: 'no-store',
    headers: {
      accept: 'application/json',
      'user-agent': request.headers.get('user-agent') ?? '',
      'x-forwarded-for': forwarded || '127.0.0.1',
      'accept-language': lang,
    },
  });
  const htmlHeaders = { 'content-type': 'text/html; charset=utf-8', vary: 'Cookie, Accept-Language' };
  if (res.status === 404 || res.status === 400) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    return new Response(renderTraceNotFound(lang, body?.message ?? 'Không tìm thấy / Not found'), { status: 404, headers: htmlHeaders });
  }
  if (!res.ok) {
    return new Response(renderTraceNotFound(lang, 'Hệ thống đang bận, vui lòng thử lại / Please try again shortly'), { status: 503, headers: { ...htmlHeaders, 'retry-after': '5' } });
  }
  const doc = (await res.json()) as TraceDocument;
  const html = renderTracePage(doc, lang, request.nextUrl.pathname);
  const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
  const headers = { ...htmlHeaders, etag, 'cache-control': 'public, max-age=60, stale-while-revalidate=300' };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(html, { status: 200, headers });
}
