import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery, trimString, trimLowerString } from '@htx/shared';
import { ORDER_STATUSES, type OrderStatus } from './state-machine';


export const PAYMENT_METHODS = ['cod', 'vnpay', 'vietqr'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const MAX_QUANTITY = 1000;

export class CheckoutItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsDefined({ message: 'variantId is required' })
  @IsUUID('all', { message: 'variantId must be a product variant id (uuid)' })
  variantId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY, example: 2 })
  @IsDefined({ message: 'quantity is required' })
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(MAX_QUANTITY, { message: `quantity must be at most ${MAX_QUANTITY}` })
  quantity!: number;
}

export class CustomerDto {
  @ApiProperty({ example: 'Nguyễn Thị Lan' })
  @Transform(trimString)
  @IsDefined({ message: 'name is required' })
  @IsString({ message: 'name must be text' })
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @ApiProperty({ example: '0912345678', description: 'Vietnamese mobile number, 0… or +84… form' })
  @IsDefined({ message: 'phone is required' })
  @IsString({ message: 'phone must be text such as 0912345678' })
  @MaxLength(30, { message: 'phone must be at most 30 characters' })
  phone!: string;

  @ApiPropertyOptional({ example: 'lan@example.vn' })
  @IsOptional()
  @Transform(trimLowerString)
  @IsEmail({}, { message: 'email must be an e-mail address such as ten@example.vn' })
  @MaxLength(254)
  email?: string;
}

export class ShippingAddressDto {
  @ApiProperty({ example: '19', description: 'Province code (GSO, units in force since 1 July 2025)' })
  @IsDefined({ message: 'provinceCode is required' })
  @IsString({ message: 'provinceCode must be text such as "19"' })
  @Matches(/^\d{2}$/, { message: 'provinceCode must be the 2-digit province code, e.g. "19" (see GET /api/admin-units/provinces)' })
  provinceCode!: string;

  @ApiProperty({ example: '01969', description: 'Commune code (GSO)' })
  @IsDefined({ message: 'communeCode is required' })
  @IsString({ message: 'communeCode must be text such as "01969"' })
  @Matches(/^\d{5}$/, { message: 'communeCode must be the 5-digit commune code, e.g. "01969" (see GET /api/admin-units/provinces/:code/communes)' })
  communeCode!: string;

  @ApiProperty({ example: 'Thôn Nà Lẹng, số 12' })
  @Transform(trimString)
  @IsDefined({ message: 'line is required' })
  @IsString({ message: 'line must be text' })
  @Length(1, 300, { message: 'line (house number, street, hamlet) must be 1 to 300 characters' })
  line!: string;
}

export class CheckoutDto {
  @ApiProperty({ type: [CheckoutItemDto] })
  @IsDefined({ message: 'items is required' })
  @IsArray({ message: 'items must be a list of {variantId, quantity}' })
  @ArrayMinSize(1, { message: 'items must contain at least one product' })
  @ArrayMaxSize(50, { message: 'items may contain at most 50 products' })
  @ValidateNested({ each: true })
  @Type(() => CheckoutItemDto)
  items!: CheckoutItemDto[];

  @ApiProperty({ type: CustomerDto })
  @IsDefined({ message: 'customer is required' })
  @ValidateNested()
  @Type(() => CustomerDto)
  customer!: CustomerDto;

  @ApiProperty({ type: ShippingAddressDto })
  @IsDefined({ message: 'shippingAddress is required' })
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress!: ShippingAddressDto;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsDefined({ message: 'paymentMethod is required' })
  @IsIn(PAYMENT_METHODS, { message: `paymentMethod must be one of ${PAYMENT_METHODS.join(', ')}` })
  paymentMethod!: PaymentMethod;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Transform(trimString)
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}

export class TrackOrderQuery {
  @ApiProperty({ example: '0912345678', description: 'The phone number the order was placed with' })
  @IsDefined({ message: 'phone is required: give the phone number the order was placed with' })
  @IsString()
  @MaxLength(30)
  phone!: string;
}

export class AdminUnitLookupQuery {
  @ApiProperty({ example: 'vi huong', description: 'A commune name, current or pre-2025, with or without diacritics; may end with ", old province"' })
  @Transform(trimString)
  @IsDefined({ message: 'q is required, e.g. q=vi huong' })
  @IsString()
  @Length(1, 100, { message: 'q must be 1 to 100 characters' })
  q!: string;

  @ApiPropertyOptional({ example: 'Bắc Kạn', description: 'Current or former province (name or code) to narrow the result' })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(100)
  province?: string;
}

export const ORDER_CHANNELS = ['shop', 'postmart'] as const;

export class ManageOrderListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;

  @ApiPropertyOptional({ enum: ORDER_CHANNELS })
  @IsOptional()
  @IsIn(ORDER_CHANNELS, { message: `channel must be one of ${ORDER_CHANNELS.join(', ')}` })
  channel?: (typeof ORDER_CHANNELS)[number];

  @ApiPropertyOptional({ example: '2025-11-01', description: 'Placed on or after this day (Asia/Ho_Chi_Minh)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be a date such as 2025-11-01' })
  from?: string;

  @ApiPropertyOptional({ example: '2025-11-30', description: 'Placed on or before this day (Asia/Ho_Chi_Minh)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be a date such as 2025-11-30' })
  to?: string;

  @ApiPropertyOptional({ description: 'Order code (or its start) or the customer’s phone' })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(60)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Platform admins: one cooperative' })
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a uuid' })
  cooperativeId?: string;
}

export class ManageOrderExportQuery extends ManageOrderListQuery {}

export class TransitionDto {
  @ApiProperty({ enum: ORDER_STATUSES })
  @IsDefined({ message: 'to is required' })
  @IsIn(ORDER_STATUSES, { message: `to must be one of ${ORDER_STATUSES.join(', ')}` })
  to!: OrderStatus;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}

export class SalesReportQuery {
  @ApiProperty({ example: '2025-11-01' })
  @IsDefined({ message: 'from is required, e.g. from=2025-11-01' })
  @IsISO8601({ strict: true }, { message: 'from must be a date such as 2025-11-01' })
  from!: string;

  @ApiProperty({ example: '2025-11-30' })
  @IsDefined({ message: 'to is required, e.g. to=2025-11-30' })
  @IsISO8601({ strict: true }, { message: 'to must be a date such as 2025-11-30' })
  to!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a uuid' })
  cooperativeId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'top must be a whole number' })
  @Min(1)
  @Max(50)
  top = 10;
}
