import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, MinLength } from 'class-validator';
import { INTENT_STATUSES, IntentStatus, PAYMENT_METHODS, PaymentMethod } from '../entities/payment.entities';
import { PageQuery } from '@htx/shared';

export class CooperativeScopeQuery {
  @ApiPropertyOptional({ description: 'Platform admins name the cooperative; managers may omit it' })
  @IsOptional()
  @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class MismatchListQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class ResolveMismatchDto {
  @ApiProperty({ description: 'What the manager did (refunded the difference, called the shopper…)' })
  @IsString({ message: 'note must be text' })
  @MinLength(3, { message: 'note must say what was done (at least 3 characters)' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note!: string;
}

export class RefundDto {
  @ApiPropertyOptional({ description: 'Whole đồng; omit to refund everything not yet refunded' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'amountVnd must be a whole number of đồng' })
  @Min(1, { message: 'amountVnd must be at least 1' })
  amountVnd?: number;

  @ApiProperty()
  @IsString({ message: 'reason must be text' })
  @MinLength(3, { message: 'reason must say why (at least 3 characters)' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason!: string;
}

export class PaymentListQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;

  @ApiPropertyOptional({ enum: INTENT_STATUSES })
  @IsOptional()
  @IsIn(INTENT_STATUSES, { message: `status must be one of ${INTENT_STATUSES.join(', ')}` })
  status?: IntentStatus;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS })
  @IsOptional()
  @IsIn(PAYMENT_METHODS, { message: `method must be one of ${PAYMENT_METHODS.join(', ')}` })
  method?: PaymentMethod;

  @ApiPropertyOptional({ description: 'An order code the payment is for' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  orderCode?: string;
}
