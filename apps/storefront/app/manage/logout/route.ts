import { NextResponse } from 'next/server';
import { TOKEN_COOKIE } from '../../../lib/manage-api';

/** Clears the manager's token (also where a 401 from the API lands) and goes to the login page. */
function out(request: Request) {
  const res = NextResponse.redirect(new URL('/manage/login', request.url), 303);
  res.cookies.set(TOKEN_COOKIE, '', { path: '/manage', maxAge: 0, httpOnly: true, sameSite: 'lax' });
  return res;
}

export const GET = out;
export const POST = out;
