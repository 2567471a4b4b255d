import { Body, Controller, Get, Header, Headers, HttpCode, Ip, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Auth, cooperativeScope, CurrentUser } from '@htx/identity';
import { listCommunes, listProvinces, lookupAdminUnit, notFound, RouteRateLimit, type AuthUser } from '@htx/shared';
import { AdminUnitLookupQuery, CheckoutDto, ManageOrderExportQuery, ManageOrderListQuery, SalesReportQuery, TrackOrderQuery, TransitionDto } from './dto';
import { OrdersManageService } from './orders-manage.service';
import { actorOf, OrdersService } from './orders.service';

@ApiTags('admin-units')
@Controller('admin-units')
export class AdminUnitsController {
  @Get('provinces')
  @Header('cache-control', 'public, max-age=86400')
  @ApiOperation({ summary: 'The 34 provinces in force since 1 July 2025 (GSO codes)' })
  provinces() {
    return listProvinces();
  }

  @Get('provinces/:code/communes')
  @Header('cache-control', 'public, max-age=86400')
  @ApiOperation({ summary: 'The communes (xã, phường, đặc khu) of a province' })
  communes(@Param('code') code: string) {
    const communes = listCommunes(code);
    if (!communes) throw notFound(`Không có tỉnh/thành mã "${code}" / No province with code "${code}" (see /api/admin-units/provinces)`);
    return communes;
  }

  @Get('lookup')
  @ApiOperation({ summary: 'Find the unit in force for a commune name, current or pre-2025, with or without diacritics (`vi huong` → Xã Phủ Thông, Tỉnh Thái Nguyên)' })
  lookup(@Query() q: AdminUnitLookupQuery) {
    return { items: lookupAdminUnit(q.q, q.province) };
  }
}

type ReplyLike = { status(code: number): ReplyLike; header(k: string, v: string): ReplyLike };

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RouteRateLimit('checkout', 'CHECKOUT_RATE_LIMIT_PER_MINUTE')
  @ApiTooManyRequestsResponse({ description: 'More than CHECKOUT_RATE_LIMIT_PER_MINUTE checkouts a minute from this address' })
  @ApiOperation({ summary: 'Checkout: one order per cooperative of the cart, prices and shipping computed here' })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'A unique value per checkout (e.g. a UUID); retrying with the same key and body returns the same result' })
  @ApiCreatedResponse({ description: 'The checkout, its orders and the next payment step' })
  @ApiConflictResponse({ description: 'Not enough stock (details list the short items)' })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used with another body' })
  async checkout(@Headers('idempotency-key') key: string | undefined, @Body() dto: CheckoutDto, @Ip() ip: string, @Res({ passthrough: true }) reply: ReplyLike) {
    const result = await this.orders.checkout(key, dto, ip);
    reply.status(201);
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get(':code')
  @RouteRateLimit('tracking', 'TRACKING_RATE_LIMIT_PER_MINUTE')
  @ApiTooManyRequestsResponse({ description: 'More than TRACKING_RATE_LIMIT_PER_MINUTE look-ups a minute from this address' })
  @ApiOperation({ summary: 'Track an order by its code and the phone number it was placed with' })
  track(@Param('code') code: string, @Query() q: TrackOrderQuery) {
    return this.orders.track(code, q.phone);
  }
}

const uuidParam = new ParseUUIDPipe({ exceptionFactory: () => notFound('Không tìm thấy đơn hàng / Order not found') });

@ApiTags('manage')
@Controller('manage')
@Auth('platform_admin', 'coop_manager')
export class ManageOrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly manage: OrdersManageService,
  ) {}

  @Get('orders')
  @ApiOperation({ summary: 'Orders of the cooperative: filter by status, dates, channel; search by code or phone' })
  list(@CurrentUser() user: AuthUser, @Query() q: ManageOrderListQuery) {
    return this.manage.list(q, cooperativeScope(user, q.cooperativeId));
  }

  @Get('orders/export.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="orders.csv"')
  @ApiOkResponse({ description: 'CSV of the filtered orders' })
  export(@CurrentUser() user: AuthUser, @Query() q: ManageOrderExportQuery) {
    return this.manage.exportCsv(q, cooperativeScope(user, q.cooperativeId));
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'One order with its lines, lots, history and allowed transitions' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam) id: string) {
    return this.orders.orderView(id, cooperativeScope(user));
  }

  @Post('orders/:id/transitions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move an order to another status (409 lists the allowed ones)' })
  transition(@CurrentUser() user: AuthUser, @Param('id', uuidParam) id: string, @Body() dto: TransitionDto) {
    return this.orders.transition(id, cooperativeScope(user), dto.to, actorOf(user), dto.note ?? null);
  }

  @Get('reports/sales')
  @ApiOperation({ summary: 'Orders a day, revenue, average order value, share by channel, top products' })
  sales(@CurrentUser() user: AuthUser, @Query() q: SalesReportQuery) {
    return this.manage.salesReport(q, cooperativeScope(user, q.cooperativeId));
  }
}
