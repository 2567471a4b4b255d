import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, NotEquals } from 'class-validator';
import { PageQuery, trimString } from '@htx/shared';

const DATE_ONLY = { strict: true, strictSeparator: true };

export class ReceiveLotDto {
  @ApiPropertyOptional({ description: 'Platform admins: the cooperative; managers: omit' })
  @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;

  @ApiProperty({ description: 'The variant (pack size) received' })
  @IsUUID('4', { message: 'variantId must be a variant id (UUID)' })
  variantId!: string;

  @ApiProperty({ example: 'GCL2611A', description: 'GS1 AI (10) batch/lot: up to 20 letters, digits, dot, dash, underscore' })
  @Transform(trimString)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/, { message: 'lotCode must be 1-20 letters, digits, dots, dashes or underscores, e.g. GCL2611A' })
  lotCode!: string;

  @ApiPropertyOptional({ example: '2026-10-20' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'harvestDate must be a date such as 2026-10-20' })
  @IsISO8601(DATE_ONLY, { message: 'harvestDate must be a real date such as 2026-10-20' })
  harvestDate?: string;

  @ApiPropertyOptional({ example: '2027-10-20' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'expiryDate must be a date such as 2027-10-20' })
  @IsISO8601(DATE_ONLY, { message: 'expiryDate must be a real date such as 2027-10-20' })
  expiryDate?: string;

  @ApiProperty({ example: 120, description: 'Units (packs) received' })
  @IsInt({ message: 'quantity must be a whole number of packs' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(1000000, { message: 'quantity must be at most 1000000' })
  quantity!: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500, { message: 'note must be at most 500 characters' })
  note?: string;
}

export class AdjustLotDto {
  @ApiProperty({ example: -3, description: 'Change in packs: negative removes (damage, loss, count correction), positive adds' })
  @IsInt({ message: 'delta must be a whole number of packs' })
  @NotEquals(0, { message: 'delta must not be 0' })
  @Min(-1000000, { message: 'delta must be at least -1000000' })
  @Max(1000000, { message: 'delta must be at most 1000000' })
  delta!: number;

  @ApiProperty({ example: 'Kiểm kê: 3 túi rách / stock count: 3 torn bags' })
  @Transform(trimString)
  @IsString({ message: 'reason must be text' })
  @Length(3, 500, { message: 'reason must be 3 to 500 characters' })
  reason!: string;
}

export class StockQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'variantId must be a UUID' })
  variantId?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'productId must be a UUID' })
  productId?: string;

  @ApiPropertyOptional({ description: 'Platform admins only' }) @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class LowStockQuery {
  @ApiPropertyOptional({ default: 10, description: 'List variants with at most this many packs available' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'threshold must be a whole number' })
  @Min(0, { message: 'threshold must be 0 or more' })
  @Max(1000000, { message: 'threshold must be at most 1000000' })
  threshold = 10;

  @ApiPropertyOptional({ description: 'Platform admins only' }) @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class NearExpiryQuery {
  @ApiPropertyOptional({ default: 30, description: 'Lots expiring within this many days (already expired lots with stock are included)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number' })
  @Min(0, { message: 'days must be 0 or more' })
  @Max(3650, { message: 'days must be at most 3650' })
  days = 30;

  @ApiPropertyOptional({ description: 'Platform admins only' }) @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class LotListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'variantId must be a UUID' })
  variantId?: string;

  @ApiPropertyOptional({ description: 'Lot code starts with' })
  @IsOptional() @Transform(trimString) @IsString() @MaxLength(20, { message: 'lotCode must be at most 20 characters' })
  lotCode?: string;

  @ApiPropertyOptional({ description: 'Platform admins only' }) @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}
