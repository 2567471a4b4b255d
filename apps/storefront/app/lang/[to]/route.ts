import { NextRequest, NextResponse } from 'next/server';

/**
 * Switches the language (a cookie) and goes back to the page the shopper came from. The way back is a relative
 * Location: behind a proxy (or with `next start -H`) the server's idea of its own host differs from the browser's.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ to: string }> }) {
  const { to } = await params;
  const lang = to === 'en' ? 'en' : 'vi';
  const referer = request.headers.get('referer');
  const next = request.nextUrl.searchParams.get('next');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? request.nextUrl.host;
  let back = '/';
  if (next && /^\/(?!\/)[^\s\\]*$/.test(next)) back = next;
  else if (referer) {
    try {
      const url = new URL(referer);
      if (url.host === host) back = url.pathname + url.search;
    } catch {
      // a malformed Referer: go home
    }
  }
  const res = new NextResponse(null, { status: 303, headers: { location: back } });
  res.cookies.set('lang', lang, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'lax' });
  return res;
}
