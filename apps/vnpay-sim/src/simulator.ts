import { createHmac, randomInt } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the VNPay sandbox (payment gateway 2.1.0): the payment page the payment URL points at,
 * the shopper's redirect to the merchant's return URL, the server-to-server IPN call, and the querydr/refund
 * web API. Everything it sends is signed with the merchant's secure secret exactly as VNPay signs it, so a
 * merchant verifying with the `vnpay` SDK cannot tell it apart.
 */

export type Outcome = 'success' | 'cancel' | 'fail';
/** What happens to the IPN of a completed payment: delivered once, lost, or delivered several times. */
export type IpnMode = 'send' | 'drop' | 'duplicate';

export interface VnpaySimulatorOptions {
  port?: number;
  host?: string;
  tmnCode: string;
  secureSecret: string;
  /** The merchant's IPN URL (configured in VNPay's merchant portal, not sent in the payment URL). */
  ipnUrl?: string;
  bankCode?: string;
}

export interface SimTransaction {
  txnRef: string;
  /** As VNPay carries it: đồng × 100. */
  amount: string;
  orderInfo: string;
  returnUrl: string;
  createDate: string;
  ipAddr: string;
  status: 'pending' | Outcome;
  responseCode: string;
  transactionStatus: string;
  transactionNo: string;
  payDate: string;
  bankTranNo: string;
  refundedVnd: number;
}

export interface IpnDelivery {
  status: number;
  body: unknown;
}

export interface CompletionResult {
  returnUrl: string;
  returnQuery: Record<string, string>;
  ipn: IpnDelivery[];
}

export interface VnpaySimulator {
  url: string;
  port: number;
  transactions: Map<string, SimTransaction>;
  setIpnUrl(url: string): void;
  /** Completes the payment a payment URL started (as the shopper pressing a button on the page would). */
  complete(paymentUrlOrTxnRef: string, options?: { outcome?: Outcome; ipn?: IpnMode; copies?: number }): Promise<CompletionResult>;
  /** The signed IPN parameters VNPay would send for a completed transaction (to replay or tamper with in tests). */
  ipnQuery(txnRef: string): Record<string, string>;
  close(): Promise<void>;
}

/** VNPay's signature: HMAC-SHA512 over the sorted, form-encoded parameters (empty values left out). */
export function signVnpParams(params: Record<string, string | number | undefined>, secureSecret: string): string {
  const search = new URLSearchParams();
  for (const key of Object.keys(params).sort()) {
    const v = params[key];
    if (v !== undefined && v !== null && v !== '') search.append(key, String(v));
  }
  return createHmac('sha512', secureSecret).update(Buffer.from(search.toString(), 'utf-8')).digest('hex');
}

function hmacPipe(parts: unknown[], secureSecret: string): string {
  const data = parts.map(String).join('|').replace(/undefined/g, '');
  return createHmac('sha512', secureSecret).update(Buffer.from(data, 'utf-8')).digest('hex');
}

/** yyyyMMddHHmmss in Vietnam's time (GMT+7), as VNPay formats dates. */
export function vnpDate(at = new Date()): string {
  const d = new Date(at.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8', headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(body);
}

export async function startVnpaySimulator(options: VnpaySimulatorOptions): Promise<VnpaySimulator> {
  const { tmnCode, secureSecret } = options;
  const bankCode = options.bankCode ?? 'NCB';
  let ipnUrl = options.ipnUrl;
  const transactions = new Map<string, SimTransaction>();

  const returnParams = (t: SimTransaction): Record<string, string> => {
    const p: Record<string, string> = {
      vnp_Amount: t.amount,
      vnp_BankCode: bankCode,
      vnp_CardType: 'ATM',
      vnp_OrderInfo: t.orderInfo,
      vnp_PayDate: t.payDate,
      vnp_ResponseCode: t.responseCode,
      vnp_TmnCode: tmnCode,
      vnp_TransactionNo: t.transactionNo,
      vnp_TransactionStatus: t.transactionStatus,
      vnp_TxnRef: t.txnRef,
    };
    if (t.bankTranNo) p['vnp_BankTranNo'] = t.bankTranNo;
    p['vnp_SecureHash'] = signVnpParams(p, secureSecret);
    return p;
  };

  /** Checks a payment URL's query as VNPay does; answers the problem or the recorded transaction. */
  const acceptPayment = (search: URLSearchParams): SimTransaction | string => {
    const params: Record<string, string> = {};
    for (const [k, v] of search) if (k.startsWith('vnp_')) params[k] = v;
    const { vnp_SecureHash: hash, ...rest } = params;
    if (!hash || signVnpParams(rest, secureSecret) !== hash) return 'Sai chữ ký / Invalid signature (code 70)';
    if (rest['vnp_TmnCode'] !== tmnCode) return 'Website chưa được phê duyệt / Unknown merchant (code 02)';
    if (!/^\d+$/.test(rest['vnp_Amount'] ?? '') || Number(rest['vnp_Amount']) % 100 !== 0) return 'Số tiền không hợp lệ / Invalid amount (code 03)';
    if (!rest['vnp_TxnRef'] || !rest['vnp_ReturnUrl']) return 'Thiếu tham số / Missing parameters (code 03)';
    if (rest['vnp_ExpireDate'] && rest['vnp_ExpireDate'] < vnpDate()) return 'Giao dịch đã quá thời gian chờ thanh toán / Payment expired (code 11)';
    const existing = transactions.get(rest['vnp_TxnRef']);
    if (existing) return existing.status === 'pending' ? existing : 'Giao dịch đã tồn tại / Duplicate transaction reference (code 94)';
    const t: SimTransaction = {
      txnRef: rest['vnp_TxnRef'],
      amount: rest['vnp_Amount'],
      orderInfo: rest['vnp_OrderInfo'] ?? '',
      returnUrl: rest['vnp_ReturnUrl'],
      createDate: rest['vnp_CreateDate'] ?? vnpDate(),
      ipAddr: rest['vnp_IpAddr'] ?? '',
      status: 'pending',
      responseCode: '',
      transactionStatus: '01',
      transactionNo: '0',
      payDate: '',
      bankTranNo: '',
      refundedVnd: 0,
    };
    transactions.set(t.txnRef, t);
    return t;
  };

  const deliverIpn = async (t: SimTransaction): Promise<IpnDelivery> => {
    if (!ipnUrl) return { status: 0, body: 'no IPN URL configured' };
    const url = new URL(ipnUrl);
    for (const [k, v] of Object.entries(returnParams(t))) url.searchParams.set(k, v);
    try {
      const r = await fetch(url);
      const text = await r.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, body };
    } catch (e) {
      return { status: 0, body: (e as Error).message };
    }
  };

  const complete = async (t: SimTransaction, outcome: Outcome, ipn: IpnMode, copies: number): Promise<CompletionResult> => {
    if (t.status === 'pending') {
      t.status = outcome;
      t.payDate = vnpDate();
      if (outcome === 'success') {
        t.responseCode = '00';
        t.transactionStatus = '00';
        t.transactionNo = String(randomInt(10_000_000, 99_999_999));
        t.bankTranNo = `VNP${t.transactionNo}`;
      } else if (outcome === 'cancel') {
        t.responseCode = '24';
        t.transactionStatus = '02';
        t.transactionNo = '0';
      } else {
        t.responseCode = '51';
        t.transactionStatus = '02';
        t.transactionNo = String(randomInt(10_000_000, 99_999_999));
      }
    }
    const deliveries: IpnDelivery[] = [];
    if (ipn !== 'drop') {
      const n = ipn === 'duplicate' ? Math.max(2, copies) : 1;
      deliveries.push(...(await Promise.all(Array.from({ length: n }, () => deliverIpn(t)))));
    }
    const returnQuery = returnParams(t);
    const back = new URL(t.returnUrl);
    for (const [k, v] of Object.entries(returnQuery)) back.searchParams.set(k, v);
    return { returnUrl: back.toString(), returnQuery, ipn: deliveries };
  };

  const paymentPage = (t: SimTransaction) => {
    const amount = new Intl.NumberFormat('vi-VN').format(Number(t.amount) / 100);
    const button = (outcome: Outcome, label: string, color: string) =>
      `<form method="post" action="/paymentv2/complete"><input type="hidden" name="txnRef" value="${escapeHtml(t.txnRef)}"><input type="hidden" name="outcome" value="${outcome}"><button style="background:${color}" type="submit">${label}</button></form>`;
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>VNPay (mô phỏng / simulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}button{color:#fff;border:0;padding:.8rem 1.2rem;font-size:1rem;border-radius:.4rem;width:100%;margin:.4rem 0;cursor:pointer}dt{color:#555}dd{margin:0 0 .6rem;font-weight:600}</style></head>
<body><h1>Cổng thanh toán VNPay <small>(mô phỏng / simulator)</small></h1>
<dl><dt>Mã giao dịch / Reference</dt><dd>${escapeHtml(t.txnRef)}</dd><dt>Nội dung / Order info</dt><dd>${escapeHtml(t.orderInfo)}</dd><dt>Số tiền / Amount</dt><dd>${amount} ₫</dd><dt>Ngân hàng / Bank</dt><dd>${escapeHtml(bankCode)}</dd></dl>
${button('success', 'Thanh toán thành công / Pay', '#0a7d32')}
${button('fail', 'Thanh toán thất bại / Fail (không đủ số dư)', '#a15c00')}
${button('cancel', 'Hủy / Cancel', '#a01818')}
</body></html>`;
  };

  const transactionApi = (body: Record<string, string | number | undefined>): Record<string, unknown> => {
    const command = String(body['vnp_Command'] ?? '');
    const responseId = `${Date.now()}${randomInt(1000, 9999)}`;
    const t = transactions.get(String(body['vnp_TxnRef'] ?? ''));
    if (command === 'querydr') {
      const expected = hmacPipe(
        [body['vnp_RequestId'], body['vnp_Version'], command, body['vnp_TmnCode'], body['vnp_TxnRef'], body['vnp_TransactionDate'], body['vnp_CreateDate'], body['vnp_IpAddr'], body['vnp_OrderInfo']],
        secureSecret,
      );
      let r: Record<string, string | undefined>;
      if (expected !== body['vnp_SecureHash']) r = { vnp_ResponseCode: '97', vnp_Message: 'Checksum khong hop le' };
      else if (body['vnp_TmnCode'] !== tmnCode) r = { vnp_ResponseCode: '02', vnp_Message: 'Merchant khong hop le' };
      else if (!t) r = { vnp_ResponseCode: '91', vnp_Message: 'Khong tim thay giao dich', vnp_TxnRef: String(body['vnp_TxnRef'] ?? '') };
      else
        r = {
          vnp_ResponseCode: '00',
          vnp_Message: 'QueryDR Success',
          vnp_TxnRef: t.txnRef,
          vnp_Amount: t.amount,
          vnp_OrderInfo: t.orderInfo,
          vnp_BankCode: bankCode,
          vnp_PayDate: t.payDate || undefined,
          vnp_TransactionNo: t.transactionNo,
          vnp_TransactionType: '01',
          vnp_TransactionStatus: t.status === 'pending' ? '01' : t.transactionStatus,
        };
      const out: Record<string, string | undefined> = { vnp_ResponseId: responseId, vnp_Command: command, vnp_TmnCode: tmnCode, ...r };
      const hash = hmacPipe(
        [out.vnp_ResponseId, out.vnp_Command, out.vnp_ResponseCode, out.vnp_Message, tmnCode, out.vnp_TxnRef, out.vnp_Amount, out.vnp_BankCode, out.vnp_PayDate, out.vnp_TransactionNo, out.vnp_TransactionType, out.vnp_TransactionStatus, out.vnp_OrderInfo, undefined, undefined],
        secureSecret,
      );
      return { ...out, vnp_SecureHash: hash };
    }
    if (command === 'refund') {
      const expected = hmacPipe(
        [body['vnp_RequestId'], body['vnp_Version'], command, body['vnp_TmnCode'], body['vnp_TransactionType'], body['vnp_TxnRef'], body['vnp_Amount'], body['vnp_TransactionNo'] ?? '0', body['vnp_TransactionDate'], body['vnp_CreateBy'], body['vnp_CreateDate'], body['vnp_IpAddr'], body['vnp_OrderInfo']],
        secureSecret,
      );
      const amountVnd = Number(body['vnp_Amount']) / 100;
      let r: Record<string, string | undefined>;
      if (expected !== body['vnp_SecureHash']) r = { vnp_ResponseCode: '97', vnp_Message: 'Checksum khong hop le' };
      else if (body['vnp_TmnCode'] !== tmnCode) r = { vnp_ResponseCode: '02', vnp_Message: 'Merchant khong hop le' };
      else if (!t) r = { vnp_ResponseCode: '91', vnp_Message: 'Khong tim thay giao dich yeu cau hoan tra' };
      else if (t.status !== 'success') r = { vnp_ResponseCode: '95', vnp_Message: 'Giao dich khong thanh cong ben VNPAY' };
      else if (!Number.isSafeInteger(amountVnd) || amountVnd <= 0 || t.refundedVnd + amountVnd > Number(t.amount) / 100) {
        r = { vnp_ResponseCode: '03', vnp_Message: 'So tien hoan khong hop le' };
      } else {
        t.refundedVnd += amountVnd;
        r = {
          vnp_ResponseCode: '00',
          vnp_Message: 'Refund success',
          vnp_TxnRef: t.txnRef,
          vnp_Amount: String(body['vnp_Amount']),
          vnp_OrderInfo: String(body['vnp_OrderInfo'] ?? ''),
          vnp_BankCode: bankCode,
          vnp_PayDate: vnpDate(),
          vnp_TransactionNo: String(randomInt(10_000_000, 99_999_999)),
          vnp_TransactionType: String(body['vnp_TransactionType']),
          vnp_TransactionStatus: '05',
        };
      }
      const out: Record<string, string | undefined> = { vnp_ResponseId: responseId, vnp_Command: command, vnp_TmnCode: tmnCode, ...r };
      // The SDK checks this hash after turning vnp_Amount back into đồng, so that is what is signed here.
      const signedAmount = out.vnp_Amount === undefined ? undefined : Number(out.vnp_Amount) / 100;
      const hash = hmacPipe(
        [out.vnp_ResponseId, out.vnp_Command, out.vnp_ResponseCode, out.vnp_Message, out.vnp_TmnCode, out.vnp_TxnRef, signedAmount, out.vnp_BankCode, out.vnp_PayDate, out.vnp_TransactionNo, out.vnp_TransactionType, out.vnp_TransactionStatus, out.vnp_OrderInfo],
        secureSecret,
      );
      return { ...out, vnp_SecureHash: hash };
    }
    return { vnp_ResponseId: responseId, vnp_ResponseCode: '03', vnp_Message: `Unknown command ${command}` };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.local');
      try {
        if (req.method === 'GET' && url.pathname === '/paymentv2/vpcpay.html') {
          const outcome = url.searchParams.get('sim_outcome') as Outcome | null;
          const ipn = (url.searchParams.get('sim_ipn') as IpnMode | null) ?? 'send';
          const t = acceptPayment(url.searchParams);
          if (typeof t === 'string') return send(res, 400, `<!doctype html><meta charset="utf-8"><h1>Lỗi / Error</h1><p>${escapeHtml(t)}</p>`, 'text/html; charset=utf-8');
          if (outcome) {
            const done = await complete(t, outcome, ipn, 2);
            return send(res, 302, '', 'text/plain', { location: done.returnUrl });
          }
          return send(res, 200, paymentPage(t), 'text/html; charset=utf-8');
        }
        if (req.method === 'POST' && url.pathname === '/paymentv2/complete') {
          const form = new URLSearchParams(await readBody(req));
          const t = transactions.get(form.get('txnRef') ?? '');
          const outcome = form.get('outcome') as Outcome;
          if (!t || !['success', 'cancel', 'fail'].includes(outcome)) return send(res, 400, '<p>Giao dịch không tồn tại / Unknown transaction</p>', 'text/html; charset=utf-8');
          const done = await complete(t, outcome, 'send', 1);
          return send(res, 302, '', 'text/plain', { location: done.returnUrl });
        }
        if (req.method === 'POST' && url.pathname === '/merchant_webapi/api/transaction') {
          let body: Record<string, string | number | undefined>;
          try {
            body = JSON.parse(await readBody(req));
          } catch {
            return send(res, 400, JSON.stringify({ vnp_ResponseCode: '03', vnp_Message: 'Invalid JSON' }));
          }
          return send(res, 200, JSON.stringify(transactionApi(body)));
        }
        if (req.method === 'POST' && url.pathname === '/sim/complete') {
          const body = JSON.parse((await readBody(req)) || '{}') as { paymentUrl?: string; txnRef?: string; outcome?: Outcome; ipn?: IpnMode; copies?: number };
          const result = await api.complete(body.paymentUrl ?? body.txnRef ?? '', body);
          return send(res, 200, JSON.stringify(result));
        }
        if (req.method === 'GET' && url.pathname.startsWith('/sim/transactions/')) {
          const t = transactions.get(decodeURIComponent(url.pathname.slice('/sim/transactions/'.length)));
          return t ? send(res, 200, JSON.stringify(t)) : send(res, 404, JSON.stringify({ message: 'not found' }));
        }
        return send(res, 404, JSON.stringify({ message: 'not found' }));
      } catch (e) {
        return send(res, 400, JSON.stringify({ message: (e as Error).message }));
      }
    })();
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const api: VnpaySimulator = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    transactions,
    setIpnUrl: (u) => {
      ipnUrl = u;
    },
    complete: async (paymentUrlOrTxnRef, opts = {}) => {
      let t: SimTransaction | string | undefined;
      if (/^https?:\/\//.test(paymentUrlOrTxnRef)) t = acceptPayment(new URL(paymentUrlOrTxnRef).searchParams);
      else t = transactions.get(paymentUrlOrTxnRef) ?? `Unknown transaction ${paymentUrlOrTxnRef}`;
      if (typeof t === 'string') throw new Error(t);
      return complete(t, opts.outcome ?? 'success', opts.ipn ?? 'send', opts.copies ?? 2);
    },
    ipnQuery: (txnRef) => {
      const t = transactions.get(txnRef);
      if (!t) throw new Error(`Unknown transaction ${txnRef}`);
      return returnParams(t);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
  return api;
}
