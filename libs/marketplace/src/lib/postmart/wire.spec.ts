import { channelPrice } from '../channel';
import { decodeCursor, encodeCursor, parseRetryAfter, signedHeaders, signPostmart, stringToSign, verifyPostmartSignature, POSTMART_HEADERS } from './wire';

describe('Postmart wire format', () => {
  const secret = 'unit-secret-0123456789';

  it('signs timestamp, method, path and the SHA-256 of the body', () => {
    expect(stringToSign('1700000000', 'post', '/apis/v1/merchant/products/batch', '')).toBe(
      '1700000000\nPOST\n/apis/v1/merchant/products/batch\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const sig = signPostmart(secret, '1700000000', 'POST', '/p', '{"a":1}');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(signPostmart(secret, '1700000000', 'POST', '/p', '{"a":2}')).not.toBe(sig);
  });

  it('verifies a signature within the timestamp window only', () => {
    const now = 1_800_000_000_000;
    const h = signedHeaders('M', secret, 'POST', '/hook', '{"x":1}', now);
    const headers = { timestamp: h[POSTMART_HEADERS.timestamp], signature: h[POSTMART_HEADERS.signature] };
    expect(verifyPostmartSignature(secret, headers, 'POST', '/hook', '{"x":1}', now + 60_000)).toEqual({ ok: true });
    expect(verifyPostmartSignature(secret, headers, 'POST', '/hook', '{"x":2}', now)).toMatchObject({ ok: false, code: 'INVALID_SIGNATURE' });
    expect(verifyPostmartSignature(secret, headers, 'POST', '/other', '{"x":1}', now)).toMatchObject({ ok: false, code: 'INVALID_SIGNATURE' });
    expect(verifyPostmartSignature(secret, headers, 'POST', '/hook', '{"x":1}', now + 301_000)).toMatchObject({ ok: false, code: 'TIMESTAMP_OUT_OF_WINDOW' });
    expect(verifyPostmartSignature(secret, { timestamp: headers.timestamp, signature: 'zz' }, 'POST', '/hook', '{"x":1}', now)).toMatchObject({ ok: false });
  });

  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor(null)).toBe(0);
    expect(decodeCursor('not-a-cursor')).toBeNull();
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('applies the price rule in whole đồng, half up', () => {
    expect(channelPrice(120000, 10)).toBe(132000);
    expect(channelPrice(45500, 7)).toBe(48685);
    expect(channelPrice(99999, 5)).toBe(104999);
    expect(channelPrice(100000, -10)).toBe(90000);
  });
});
