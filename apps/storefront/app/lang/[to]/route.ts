import { NextRequest, NextResponse } from 'next/server';

/** Switches the language (a cookie) and goes back to the page the shopper came from. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ to: string }> }) {
  const { to } = await params;
  const lang = to === 'en' ? 'en' : 'vi';
  const referer = request.headers.get('referer');
  const next = request.nextUrl.searchParams.get('next');
  let back = '/';
  if (next && /^\/(?!\/)[^\s]*$/.test(next)) back = next;
  else if (referer) {
    const url = new URL(referer);
    if (url.host === request.nextUrl.host) back = url.pathname + url.search;
  }
  const res = NextResponse.redirect(new URL(back, request.url), 303);
  res.cookies.set('lang', lang, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'lax' });
  return res;
}
