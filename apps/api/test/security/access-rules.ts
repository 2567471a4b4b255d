import type { Operation } from './support';

/**
 * Who may call what. Every operation in the OpenAPI document must get an expectation from these rules, or the
 * access-matrix test fails: whoever adds a route declares its access here.
 *
 * Callers: anonymous; member (coop_member of A); manager (coop_manager of A, the cooperative whose records the
 * request names); otherManager (coop_manager of B); admin (platform_admin).
 *
 * Expectations:
 *   'allow'  the guard lets the caller through (any answer but 401/403, never 5xx);
 *   401/403  exactly that status, and the database unchanged;
 *   'deny'   the caller reaches the handler but may not touch A's record: 403 or 404 (4xx for writes without a
 *            sample body, see SAMPLE_BODIES), and the database unchanged;
 *   'scoped' the caller sees only their own cooperative: 2xx whose body never mentions A, and 403 when the
 *            request names A (?cooperativeId=A) where the operation takes one.
 */
export type Caller = 'anonymous' | 'member' | 'manager' | 'otherManager' | 'admin';
export type Expectation = 'allow' | 401 | 403 | 'deny' | 'scoped';
export type AccessRule = Record<Caller, Expectation>;

export const CALLERS: Caller[] = ['anonymous', 'member', 'otherManager', 'manager', 'admin'];

const PUBLIC: AccessRule = { anonymous: 'allow', member: 'allow', manager: 'allow', otherManager: 'allow', admin: 'allow' };
const SIGNED_IN: AccessRule = { anonymous: 401, member: 'allow', manager: 'allow', otherManager: 'allow', admin: 'allow' };

/** Operations anyone may call (shop, tracking, trace pages, payment callbacks that prove themselves by signature). */
const PUBLIC_OPERATIONS: RegExp[] = [
  /^GET \/api\/health$/,
  /^POST \/api\/auth\/login$/,
  /^GET \/api\/cooperatives(\/\{slug\})?$/,
  /^GET \/api\/products(\/\{slug\})?$/,
  /^GET \/api\/categories$/,
  /^GET \/api\/admin-units\//,
  /^POST \/api\/orders$/,
  /^GET \/api\/orders\/\{code\}$/,
  /^GET \/api\/trace\//,
  /^GET \/api\/payments\/methods$/,
  // Product feeds that marketplaces (Google Merchant Center) fetch on a schedule: published products only.
  /^GET \/api\/feeds\/\{cooperative\}\/google\.xml$/,
  // Payment gateway and bank callbacks: no bearer token, but a signature (see webhooks in http-hardening.e2e-spec.ts).
  /^GET \/api\/payments\/vnpay\/(ipn|return)$/,
  /^POST \/api\/payments\/bank-webhook$/,
  // Marketplace order webhooks: signed by the marketplace with the connection's key (refused unsigned, see above).
  /^POST \/api\/channels\/[^/]+\/webhook$/,
];

/** Webhooks: public by route, but every call must carry a valid signature (tested separately, refused unsigned). */
export const WEBHOOK_OPERATIONS: RegExp[] = [/^GET \/api\/payments\/vnpay\/ipn$/, /^POST \/api\/payments\/bank-webhook$/, /webhook/i];

/** Exceptions to the /api/manage/** default (managers and admins only), by "METHOD /path". */
const EXCEPTIONS: Array<[RegExp, Partial<AccessRule>]> = [
  // Members see their cooperative and its plots, and record steps for their own plots.
  [/^GET \/api\/manage\/cooperatives$/, { member: 'allow' }],
  [/^GET \/api\/manage\/cooperatives\/\{id\}$/, { member: 'allow' }],
  [/^GET \/api\/manage\/trace\/plots$/, { member: 'allow' }],
  [/^POST \/api\/manage\/trace\/events$/, { member: 'allow' }],
  // Categories are the platform's, not a cooperative's.
  [/^GET \/api\/manage\/categories$/, { otherManager: 'allow' }],
];

function managedDefault(op: Operation): AccessRule {
  const namesARecord = op.pathParams.length > 0;
  const isWrite = op.method !== 'get';
  return {
    anonymous: 401,
    member: 403,
    manager: 'allow',
    // Creating in one's own cooperative is allowed, unless the body names A's records (see SAMPLE_BODIES).
    otherManager: namesARecord ? 'deny' : isWrite ? (SAMPLE_BODIES[`${op.method.toUpperCase()} ${op.path}`] ? 'deny' : 'allow') : 'scoped',
    admin: 'allow',
  };
}

/** The expectation for an operation, or null when nobody declared one (the matrix test then fails, naming it). */
export function accessRuleFor(op: Operation): AccessRule | null {
  const key = `${op.method.toUpperCase()} ${op.path}`;
  if (PUBLIC_OPERATIONS.some((r) => r.test(key))) return PUBLIC;
  if (key === 'GET /api/auth/me') return SIGNED_IN;
  if (op.path.startsWith('/api/manage/') || op.path === '/api/manage' || op.path.startsWith('/api/epcis/')) {
    const rule = managedDefault(op);
    for (const [re, override] of EXCEPTIONS) if (re.test(key)) Object.assign(rule, override);
    return rule;
  }
  return null;
}

/**
 * Valid bodies for writes that act on (or name) cooperative A's records, so that the other cooperative's manager
 * is refused by the tenancy check itself rather than by validation. Placeholders: $productA, $variantA, $lotA,
 * $producerA, $coopA.
 */
export const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /api/manage/cooperatives/{id}': { addressLine: 'Thôn Nà Lẹng (xã Vi Hương cũ)' },
  'PATCH /api/manage/products/{id}': { brand: 'HTX Thiên An' },
  'POST /api/manage/products/{id}/variants': { sku: 'SEC-MATRIX-1', nameVi: 'Túi thử', nameEn: 'Test bag', weightGrams: 50, priceVnd: 10000, gtin: '8936012999990' },
  'PATCH /api/manage/products/{id}/variants/{variantId}': { sortOrder: 7 },
  'POST /api/manage/products/{id}/certificates': { kind: 'other', name: 'Giấy chứng nhận thử / Test certificate', issuer: 'Trung tâm thử nghiệm' },
  'POST /api/manage/lots/{id}/adjustments': { delta: 1, reason: 'Kiểm kê / stock count' },
  'POST /api/manage/lots/{id}/recall': { reason: 'Kiểm tra quyền / access check' },
  'POST /api/manage/orders/{id}/transitions': { to: 'cancelled', note: 'access check' },
  'POST /api/manage/payments/{id}/refund': { reason: 'access check' },
  'POST /api/manage/payments/{id}/attention/resolve': { note: 'access check' },
  'POST /api/manage/payments/mismatches/{id}/resolve': { note: 'access check' },
  'PATCH /api/manage/channels/{id}': { enabled: false },
  'PUT /api/manage/channels/{id}/products/{productId}': { listed: false },
  'POST /api/manage/channels/{id}/orders/{orderId}/dismiss': { note: 'access check' },
  'POST /api/manage/lots': { variantId: '$variantA', lotCode: 'SECMATRIX1', quantity: 5 },
  'POST /api/manage/trace/plots': { producerId: '$producerA', name: 'Nương thử quyền', areaM2: 100, crop: 'Giảo cổ lam', geometry: { type: 'Point', coordinates: [105.8, 22.1] } },
  'POST /api/manage/trace/events': { kind: 'inspecting', lotId: '$lotA', quantity: 1, uom: 'H87', disposition: 'conformant' },
};
