import { NextResponse } from 'next/server';
import { API_URL } from '../../../../../lib/api';
import { manageToken } from '../../../../../lib/manage-api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The lot's label sheet (PDF), fetched from the API with the manager's token from the cookie and streamed through. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const token = await manageToken();
  if (!token) return NextResponse.redirect(new URL('/manage/login', request.url), 303);
  if (!UUID.test(id)) return new NextResponse('Không tìm thấy lô / Lot not found', { status: 404 });
  const url = new URL(request.url);
  const count = Math.min(480, Math.max(1, Number.parseInt(url.searchParams.get('count') ?? '24', 10) || 24));
  const serials = url.searchParams.get('serials') === '1' ? '&serials=true' : '';
  const res = await fetch(`${API_URL}/api/manage/lots/${id}/labels.pdf?count=${count}${serials}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' },
    cache: 'no-store',
  });
  if (res.status === 401) return NextResponse.redirect(new URL('/manage/logout', request.url), 303);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    return new NextResponse(body?.message ?? 'Không tạo được nhãn / Could not make labels', { status: res.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  return new NextResponse(res.body, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': res.headers.get('content-disposition') ?? `attachment; filename="labels-${id}.pdf"`,
      'cache-control': 'private, no-store',
    },
  });
}
