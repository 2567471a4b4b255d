import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, UnauthorizedException } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { Auth, cooperativeScope, CurrentUser, requireCooperative } from '@htx/identity';
import { badRequest, notFound, type AuthUser } from '@htx/shared';
import { ChannelError } from '../channel';
import { POSTMART_HEADERS } from '../postmart/wire';
import { ChannelSyncService, type ConnectionRow } from '../sync/channel-sync.service';
import { ChannelsManageService } from './channels-manage.service';
import { ChannelOrdersQuery, ChannelProductDto, ChannelScopeQuery, CreateConnectionDto, DismissDto, UpdateConnectionDto } from './dto';

const idParam = new ParseUUIDPipe({ exceptionFactory: () => notFound('Không tìm thấy kết nối kênh bán / Channel connection not found') });
const productParam = new ParseUUIDPipe({ exceptionFactory: () => notFound('Không tìm thấy sản phẩm / Product not found') });
const orderParam = new ParseUUIDPipe({ exceptionFactory: () => notFound('Không có đơn này / No such channel order') });

export const POSTMART_WEBHOOK_PATH = '/api/channels/postmart/webhook';

/** The raw request body, kept by the hook MarketplaceModule installs for the webhook path (signatures are over raw bytes). */
export type RequestWithRawBody = { rawBody?: Buffer; url: string; method: string; headers: Record<string, string | string[] | undefined> };

@ApiTags('channels')
@Controller('channels/postmart')
export class PostmartWebhookController {
  constructor(
    private readonly ds: DataSource,
    private readonly sync: ChannelSyncService,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({ summary: 'Postmart order webhook: signed like every Postmart call (docs/postmart-api.md); answered at once, imported by the queue' })
  @ApiHeader({ name: POSTMART_HEADERS.merchant, required: true })
  @ApiHeader({ name: POSTMART_HEADERS.timestamp, required: true })
  @ApiHeader({ name: POSTMART_HEADERS.signature, required: true })
  @ApiOkResponse({ description: 'Received (and queued for import)' })
  @ApiUnauthorizedResponse({ description: 'Unknown merchant, bad signature or a timestamp outside the window' })
  async webhook(@Req() req: RequestWithRawBody, @Headers(POSTMART_HEADERS.merchant) merchantId: string | undefined) {
    const refuse = (message: string) => new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message });
    if (!merchantId) throw refuse(`Thiếu ${POSTMART_HEADERS.merchant} / ${POSTMART_HEADERS.merchant} header is required`);
    const [conn] = (await this.ds.query(`SELECT * FROM channel_connections WHERE channel = 'postmart' AND merchant_id = $1`, [merchantId])) as ConnectionRow[];
    if (!conn) throw refuse('Người bán không xác định / Unknown merchant');
    if (!req.rawBody) throw badRequest('Thiếu nội dung / Empty body');
    let event;
    try {
      event = (await this.sync.adapterFor(conn)).receiveWebhook(req.headers, req.method, req.url, req.rawBody);
    } catch (e) {
      if (e instanceof ChannelError && e.status === 401) throw refuse(`Chữ ký không hợp lệ / ${e.message}`);
      if (e instanceof ChannelError) throw badRequest(e.message);
      throw e;
    }
    if (event.merchantId !== conn.merchant_id) throw refuse('Người bán không khớp / merchant_id does not match the signed header');
    if (conn.enabled) await this.sync.enqueueImport(conn, event.order);
    return { received: true, eventId: event.eventId };
  }
}

@ApiTags('manage')
@Controller('manage/channels')
@Auth('platform_admin', 'coop_manager')
export class ManageChannelsController {
  constructor(private readonly manage: ChannelsManageService) {}

  @Get()
  @ApiOperation({ summary: 'Channel connections of the cooperative (secrets shown as their last 4 characters)' })
  list(@CurrentUser() user: AuthUser, @Query() q: ChannelScopeQuery) {
    return this.manage.list(cooperativeScope(user, q.cooperativeId));
  }

  @Post()
  @ApiCreatedResponse({ description: 'The connection (the secret is stored encrypted)' })
  @ApiOperation({ summary: 'Connect the cooperative to a marketplace with the merchant credentials it was given' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateConnectionDto) {
    return this.manage.create(requireCooperative(user, dto.cooperativeId), dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One connection with order counts' })
  get(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string) {
    return this.manage.view(id, cooperativeScope(user));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change credentials, enable/disable, or the price rule (+N %)' })
  update(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string, @Body() dto: UpdateConnectionDto) {
    return this.manage.update(id, cooperativeScope(user), dto);
  }

  @Get(':id/categories')
  @ApiOperation({ summary: "Postmart's categories (gc_id, name, parent) with the commission of each" })
  categories(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string) {
    return this.manage.categories(id, cooperativeScope(user));
  }

  @Get(':id/products')
  @ApiOperation({ summary: 'Sync status per product and variant: in_sync, pending, failed (with the reason), last synced' })
  products(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string) {
    return this.manage.products(id, cooperativeScope(user));
  }

  @Put(':id/products/:productId')
  @ApiOperation({ summary: 'List or unlist a product and map it to a Postmart category' })
  setProduct(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string, @Param('productId', productParam) productId: string, @Body() dto: ChannelProductDto) {
    return this.manage.setProduct(id, cooperativeScope(user), productId, dto);
  }

  @Post(':id/sync')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a listing, stock and order sync now' })
  syncNow(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string) {
    return this.manage.syncNow(id, cooperativeScope(user));
  }

  @Get(':id/failed-jobs')
  @ApiOperation({ summary: 'Sync jobs that failed for good (after their retries), with the reason' })
  failedJobs(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string) {
    return this.manage.failedJobs(id, cooperativeScope(user));
  }

  @Post(':id/failed-jobs/:jobId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry a failed sync job' })
  retry(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string, @Param('jobId') jobId: string) {
    return this.manage.retryJob(id, cooperativeScope(user), jobId);
  }

  @Get(':id/orders')
  @ApiOperation({ summary: 'Marketplace orders: imported, flagged (with the reason, e.g. stock we no longer have) or dismissed' })
  orders(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string, @Query() q: ChannelOrdersQuery) {
    return this.manage.orders(id, cooperativeScope(user), q.state);
  }

  @Post(':id/orders/:orderId/dismiss')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a flagged marketplace order once it was dealt with on the marketplace' })
  dismiss(@CurrentUser() user: AuthUser, @Param('id', idParam) id: string, @Param('orderId', orderParam) orderId: string, @Body() dto: DismissDto) {
    return this.manage.dismiss(id, cooperativeScope(user), orderId, dto.note);
  }
}
