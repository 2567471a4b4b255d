import type { NextRequest } from 'next/server';
import { decodeSegment } from '../../../../../../../lib/html';
import { traceResponse } from '../../../../../../../lib/trace-route';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ gtin: string; lot: string; serial: string }> }) {
  const { gtin, lot, serial } = await params;
  return traceResponse(request, gtin, decodeSegment(lot), decodeSegment(serial));
}
