import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, cooperativeScope, CurrentUser, requireCooperative } from '@htx/identity';
import { AppConfig, AuthUser, badRequest } from '@htx/shared';
import { BankReconciliationService, WebhookSignatureError } from '../bank/bank-reconciliation.service';
import { PaymentsService, VnpayReturnResult } from '../payments.service';
import { CooperativeScopeQuery, MismatchListQuery, PaymentListQuery, RefundDto, ResolveMismatchDto } from './dto';

interface ReplyLike {
  type(t: string): ReplyLike;
  header(k: string, v: string): ReplyLike;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const vnd = new Intl.NumberFormat('vi-VN');

function returnPage(r: VnpayReturnResult, trackBase: string): string {
  const title = !r.verified
    ? 'Không xác minh được kết quả / The result could not be verified'
    : r.success
      ? 'Thanh toán thành công / Payment received'
      : 'Thanh toán chưa thành công / Payment not completed';
  const detail = !r.verified
    ? 'Đơn hàng chưa được đánh dấu đã thanh toán. Nếu bạn đã bị trừ tiền, hệ thống sẽ tự đối soát với VNPay. / Nothing was marked paid; if you were charged, we reconcile with VNPay automatically.'
    : r.success
      ? 'Đơn hàng sẽ được xác nhận ngay khi VNPay báo cho chúng tôi (thường trong vài giây). / Your order is confirmed as soon as VNPay notifies us (usually within seconds).'
      : 'Bạn có thể đặt lại đơn hàng và chọn cách thanh toán khác. / You can place the order again with another payment method.';
  const orders = r.orderCodes
    .map((c) => `<li><a href="${escapeHtml(trackBase)}/orders/${encodeURIComponent(c)}">${escapeHtml(c)}</a></li>`)
    .join('');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>${r.amountVnd !== null ? `<p>Số tiền / Amount: <strong>${vnd.format(r.amountVnd)} ₫</strong></p>` : ''}${orders ? `<p>Đơn hàng / Orders:</p><ul>${orders}</ul>` : ''}</body></html>`;
}

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly bank: BankReconciliationService,
    private readonly config: AppConfig,
  ) {}

  @Get('methods')
  @ApiOperation({ summary: 'Payment methods offered at checkout' })
  methods() {
    return { methods: this.payments.availableMethods() };
  }

  // Rate limited like every public endpoint (VNPay calls from a few addresses at a low rate; floods of junk are not logged forever).
  @Get('vnpay/ipn')
  @ApiOperation({ summary: "VNPay's server-to-server payment notification (IPN); answers {RspCode, Message}" })
  @ApiOkResponse({ description: '00 confirmed, 01 order not found, 02 already confirmed, 04 invalid amount, 97 invalid signature, 99 unknown error' })
  ipn(@Query() query: Record<string, unknown>) {
    return this.payments.handleVnpayIpn(query);
  }

  @Get('vnpay/return')
  @ApiOperation({ summary: "The shopper's return from VNPay: verified and shown (HTML, or JSON with Accept: application/json); never marks anything paid" })
  async vnpayReturn(@Query() query: Record<string, unknown>, @Req() req: { headers: Record<string, string | undefined> }, @Res({ passthrough: true }) reply: ReplyLike) {
    const result = await this.payments.handleVnpayReturn(query);
    if ((req.headers['accept'] ?? '').includes('application/json')) return result;
    reply.type('text/html; charset=utf-8');
    return returnPage(result, this.config.publicBaseUrl);
  }

  @Post('bank-webhook')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bank-transaction notification (SePay-style body), signed: X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<RFC 8785 canonical JSON body>">' })
  @ApiHeader({ name: 'x-signature', required: true })
  async bankWebhook(@Headers('x-signature') signature: string | undefined, @Body() body: Record<string, unknown>) {
    try {
      return await this.bank.handleWebhook(signature, body);
    } catch (e) {
      if (e instanceof WebhookSignatureError) throw new UnauthorizedException(e.message);
      throw e;
    }
  }
}

@ApiTags('manage')
@Controller('manage/payments')
@Auth('platform_admin', 'coop_manager')
export class ManagePaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly bank: BankReconciliationService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Payments of the cooperative, newest first (filter by status, method, order code)' })
  list(@CurrentUser() user: AuthUser, @Query() q: PaymentListQuery) {
    return this.payments.listPayments(cooperativeScope(user, q.cooperativeId), q);
  }

  @Post('statements')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import a bank statement (CSV: reference, amount, description[, date]) and match VietQR transfers; all or nothing' })
  @ApiConsumes('text/csv', 'application/json')
  @ApiBody({ schema: { oneOf: [{ type: 'string' }, { type: 'object', properties: { csv: { type: 'string' } } }] } })
  importStatement(@CurrentUser() user: AuthUser, @Query() q: CooperativeScopeQuery, @Body() body: unknown) {
    const coop = requireCooperative(user, q.cooperativeId);
    let csv: string;
    if (typeof body === 'string') csv = body;
    else if (body && typeof body === 'object' && typeof (body as { csv?: unknown }).csv === 'string' && Object.keys(body).length === 1) csv = (body as { csv: string }).csv;
    else throw badRequest('Hãy gửi sao kê dạng text/csv hoặc {"csv": "..."} / Send the statement as a text/csv body or as {"csv": "..."}');
    return this.bank.importStatement(coop, csv);
  }

  @Get('mismatches')
  @ApiOperation({ summary: 'Transfers that did not match a payment exactly (under- or over-payments, unknown or late transfers), not yet resolved' })
  mismatches(@CurrentUser() user: AuthUser, @Query() q: MismatchListQuery) {
    return this.bank.listMismatches(cooperativeScope(user, q.cooperativeId), q);
  }

  @Post('mismatches/:id/resolve')
  @HttpCode(200)
  async resolve(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: ResolveMismatchDto) {
    await this.bank.resolveMismatch(user, cooperativeScope(user, null), id, dto.note);
    return { resolved: true };
  }

  @Get('attention')
  @ApiOperation({ summary: 'Payments a manager must look at (e.g. money received after the orders were cancelled: refund it)' })
  attention(@CurrentUser() user: AuthUser, @Query() q: MismatchListQuery) {
    return this.payments.listAttention(cooperativeScope(user, q.cooperativeId), q);
  }

  @Post(':id/attention/resolve')
  @HttpCode(200)
  resolveAttention(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: ResolveMismatchDto) {
    return this.payments.resolveAttention(user, id, dto.note);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A payment and its event log' })
  get(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.payments.getPayment(user, id);
  }

  @Post(':id/refund')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refund a paid VNPay payment (all that remains, or amountVnd)' })
  refund(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: RefundDto) {
    return this.payments.refund(user, id, dto.amountVnd, dto.reason);
  }
}
