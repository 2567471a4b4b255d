import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, type AuthUser } from '@htx/shared';
import { Auth, CurrentUser } from '@htx/identity';
import { AdjustLotDto, LotListQuery, LowStockQuery, NearExpiryQuery, ReceiveLotDto, StockQuery } from './dto';
import { InventoryService } from './inventory.service';

@ApiTags('manage')
@Controller('manage')
@Auth('platform_admin', 'coop_manager')
export class ManageInventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Post('lots')
  @ApiOperation({ summary: 'Receive a lot of a variant (creates the lot and a receipt movement)' })
  receive(@CurrentUser() user: AuthUser, @Body() dto: ReceiveLotDto) {
    return this.inventory.receive(user, dto);
  }

  @Get('lots')
  @ApiOperation({ summary: 'Lots, newest first (filter by variant or lot-code prefix)' })
  lots(@CurrentUser() user: AuthUser, @Query() q: LotListQuery) {
    return this.inventory.listLots(user, q);
  }

  @Get('lots/near-expiry')
  @ApiOperation({ summary: 'Lots with stock expiring within `days` days (expired ones included, flagged)' })
  nearExpiry(@CurrentUser() user: AuthUser, @Query() q: NearExpiryQuery) {
    return this.inventory.nearExpiry(user, q);
  }

  @Get('lots/:id')
  @ApiOperation({ summary: 'One lot with its movements and the orders it was allocated to' })
  lot(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.inventory.lotDetail(user, id);
  }

  @Post('lots/:id/adjustments')
  @ApiOperation({ summary: 'Adjust a lot’s quantity with a reason (cannot go below zero or below what is reserved)' })
  adjust(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: AdjustLotDto) {
    return this.inventory.adjust(user, id, dto.delta, dto.reason);
  }

  @Get('stock')
  @ApiOperation({ summary: 'Stock per variant (on hand, reserved, recalled, expired, available) with its lots' })
  stock(@CurrentUser() user: AuthUser, @Query() q: StockQuery) {
    return this.inventory.listStock(user, q);
  }

  @Get('stock/low')
  @ApiOperation({ summary: 'Variants with at most `threshold` packs available' })
  low(@CurrentUser() user: AuthUser, @Query() q: LowStockQuery) {
    return this.inventory.lowStock(user, q);
  }

  @Get('stock/:variantId/movements')
  @ApiOperation({ summary: 'The stock ledger of a variant, newest first' })
  movements(@CurrentUser() user: AuthUser, @Param('variantId') variantId: string, @Query() q: PageQuery) {
    return this.inventory.movements(user, variantId, q);
  }
}
