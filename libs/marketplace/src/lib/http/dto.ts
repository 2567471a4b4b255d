import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { trimString } from '@htx/shared';
import { CHANNELS, type ChannelName } from '../channel';

export class ChannelScopeQuery {
  @ApiPropertyOptional({ description: 'Platform admins name the cooperative; managers may omit it' })
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class CreateConnectionDto {
  @ApiPropertyOptional({ description: 'Platform admins name the cooperative; managers may omit it' })
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;

  @ApiProperty({ enum: CHANNELS, example: 'postmart' })
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` })
  channel!: ChannelName;

  @ApiProperty({ example: 'https://api.postmart.vn', description: 'Base URL of the marketplace API' })
  @Transform(trimString)
  @IsString({ message: 'baseUrl must be text' })
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/, { message: 'baseUrl must be an http(s) URL such as https://api.postmart.vn' })
  @MaxLength(300)
  baseUrl!: string;

  @ApiProperty({ example: 'HTX-THIENAN', description: 'Merchant id Postmart gave the cooperative' })
  @Transform(trimString)
  @IsString({ message: 'merchantId must be text' })
  @MinLength(1, { message: 'merchantId is required' })
  @MaxLength(100, { message: 'merchantId must be at most 100 characters' })
  merchantId!: string;

  @ApiProperty({ description: 'Merchant secret (HMAC key); stored encrypted, never shown again in full' })
  @IsString({ message: 'secret must be text' })
  @MinLength(16, { message: 'secret must be at least 16 characters' })
  @MaxLength(200, { message: 'secret must be at most 200 characters' })
  secret!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Price on the channel = shop price × (100 + N) / 100, whole đồng', example: 10, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'priceRulePercent must be a whole number of percent' })
  @Min(-50, { message: 'priceRulePercent must be between -50 and 300' })
  @Max(300, { message: 'priceRulePercent must be between -50 and 300' })
  priceRulePercent?: number;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimString)
  @IsString({ message: 'baseUrl must be text' })
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/, { message: 'baseUrl must be an http(s) URL such as https://api.postmart.vn' })
  @MaxLength(300)
  baseUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimString)
  @IsString({ message: 'merchantId must be text' })
  @MinLength(1)
  @MaxLength(100)
  merchantId?: string;

  @ApiPropertyOptional({ description: 'A new secret (replaces the stored one)' })
  @IsOptional()
  @IsString({ message: 'secret must be text' })
  @MinLength(16, { message: 'secret must be at least 16 characters' })
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'priceRulePercent must be a whole number of percent' })
  @Min(-50, { message: 'priceRulePercent must be between -50 and 300' })
  @Max(300, { message: 'priceRulePercent must be between -50 and 300' })
  priceRulePercent?: number;
}

export class ChannelProductDto {
  @ApiPropertyOptional({ description: 'List the product (all its active variants) on the channel' })
  @IsOptional()
  @IsBoolean({ message: 'listed must be true or false' })
  listed?: boolean;

  @ApiPropertyOptional({ description: 'Postmart category (gc_id), e.g. 782 "Thực Phẩm - Đặc sản"', example: 782 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'categoryId must be a Postmart category id (gc_id)' })
  @Min(1, { message: 'categoryId must be a Postmart category id (gc_id)' })
  categoryId?: number;
}

export const CHANNEL_ORDER_STATES = ['imported', 'flagged', 'dismissed'] as const;

export class ChannelOrdersQuery {
  @ApiPropertyOptional({ enum: CHANNEL_ORDER_STATES })
  @IsOptional()
  @IsIn(CHANNEL_ORDER_STATES, { message: `state must be one of ${CHANNEL_ORDER_STATES.join(', ')}` })
  state?: (typeof CHANNEL_ORDER_STATES)[number];
}

export class DismissDto {
  @ApiProperty({ description: 'What was done about the order (refunded on Postmart, restocked…)' })
  @IsString({ message: 'note must be text' })
  @MinLength(3, { message: 'note must say what was done (at least 3 characters)' })
  @MaxLength(1000)
  note!: string;
}
