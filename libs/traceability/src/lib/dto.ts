import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '@htx/shared';
import { DISPOSITIONS, STEP_KINDS, UNITS } from './epcis/document';
import type { StepKind, Unit } from './epcis/document';

export class CooperativeQuery {
  @ApiPropertyOptional({ description: 'Platform admins: the cooperative to act on' })
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class CreateProducerDto extends CooperativeQuery {
  @ApiProperty({ example: 'Triệu Thị Mai' })
  @IsString()
  @Length(2, 120, { message: 'name must be 2-120 characters' })
  name!: string;

  @ApiProperty({ example: 'Thôn Nà Lạ' })
  @IsString()
  @Length(1, 120, { message: 'village must be 1-120 characters' })
  village!: string;

  @ApiPropertyOptional({ example: 'Dao' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  ethnicGroup?: string;

  @ApiPropertyOptional({ example: '0912345678' })
  @IsOptional()
  @Matches(/^0\d{9}$/, { message: 'phone must be a Vietnamese phone number of 10 digits starting with 0' })
  phone?: string;

  @ApiPropertyOptional({ description: 'The household agrees to show its name on public trace pages', default: false })
  @IsOptional()
  @IsBoolean()
  consentPublicName?: boolean;

  @ApiPropertyOptional({ description: 'A coop_member account of the same cooperative that acts for this household' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;
}

export class PlotCertificateDto {
  @ApiProperty({ enum: ['vietgap', 'organic', 'ocop', 'other'] })
  @IsIn(['vietgap', 'organic', 'ocop', 'other'], { message: 'kind must be one of vietgap, organic, ocop, other' })
  kind!: 'vietgap' | 'organic' | 'ocop' | 'other';

  @ApiProperty()
  @IsString()
  @Length(1, 160)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(80)
  number?: string;

  @ApiPropertyOptional({ example: '2025-01-01' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'validFrom must be a date (YYYY-MM-DD)' })
  validFrom?: string;

  @ApiPropertyOptional({ example: '2027-12-31' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'validTo must be a date (YYYY-MM-DD)' })
  validTo?: string;
}

export class CreatePlotDto extends CooperativeQuery {
  @ApiProperty()
  @IsUUID('all', { message: 'producerId must be a UUID' })
  producerId!: string;

  @ApiProperty({ example: 'Nương giảo cổ lam Khuổi Ha' })
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiProperty({ example: 2500 })
  @IsNumber({}, { message: 'areaM2 must be a number' })
  @Min(1, { message: 'areaM2 must be at least 1 m²' })
  @Max(100_000_000)
  areaM2!: number;

  @ApiProperty({ example: 'Giảo cổ lam' })
  @IsString()
  @Length(1, 120)
  crop!: string;

  @ApiProperty({ description: 'GeoJSON Point or Polygon (WGS 84, [longitude, latitude])', example: { type: 'Point', coordinates: [105.88, 22.27] } })
  @IsObject({ message: 'geometry must be a GeoJSON object' })
  geometry!: Record<string, unknown>;

  @ApiPropertyOptional({ type: [PlotCertificateDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PlotCertificateDto)
  certificates?: PlotCertificateDto[];
}

export class CreateLocationDto extends CooperativeQuery {
  @ApiProperty({ enum: ['cooperative', 'facility'] })
  @IsIn(['cooperative', 'facility'], { message: 'kind must be cooperative or facility (plot locations are created with their plot)' })
  kind!: 'cooperative' | 'facility';

  @ApiProperty({ example: 'Xưởng sấy Phủ Thông' })
  @IsString()
  @Length(1, 160)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;

  @ApiPropertyOptional({ example: 22.27 })
  @IsOptional()
  @IsNumber()
  @Min(-90)
  @Max(90)
  latitude?: number;

  @ApiPropertyOptional({ example: 105.88 })
  @IsOptional()
  @IsNumber()
  @Min(-180)
  @Max(180)
  longitude?: number;
}

export class LotQuantityDto {
  @ApiProperty()
  @IsUUID('all', { message: 'lotId must be a UUID' })
  lotId!: string;

  @ApiProperty({ example: 12.5 })
  @IsNumber({ maxDecimalPlaces: 3 }, { message: 'quantity must be a number with at most 3 decimals' })
  @Min(0.001, { message: 'quantity must be more than 0' })
  @Max(10_000_000)
  quantity!: number;

  @ApiProperty({ enum: UNITS, description: 'UN/CEFACT unit: KGM kilogram, GRM gram, H87 piece, LTR litre' })
  @IsIn(UNITS as unknown as string[], { message: `uom must be one of ${UNITS.join(', ')} (UN/CEFACT)` })
  uom!: Unit;
}

/** One form-friendly record of a step; which fields are needed depends on `kind`. */
export class RecordEventDto extends CooperativeQuery {
  @ApiProperty({ enum: STEP_KINDS })
  @IsIn(STEP_KINDS as unknown as string[], { message: `kind must be one of ${STEP_KINDS.join(', ')}` })
  kind!: StepKind;

  @ApiPropertyOptional({ description: 'When it happened (ISO 8601); defaults to now', example: '2025-10-01T08:30:00+07:00' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'eventTime must be an ISO 8601 date-time' })
  eventTime?: string;

  @ApiPropertyOptional({ description: 'ObjectEvent steps (harvest, packing, shipping, receiving, inspecting, storing): the lot' })
  @IsOptional()
  @IsUUID('all', { message: 'lotId must be a UUID' })
  lotId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 3 }, { message: 'quantity must be a number with at most 3 decimals' })
  @Min(0.001, { message: 'quantity must be more than 0' })
  @Max(10_000_000)
  quantity?: number;

  @ApiPropertyOptional({ enum: UNITS })
  @IsOptional()
  @IsIn(UNITS as unknown as string[], { message: `uom must be one of ${UNITS.join(', ')} (UN/CEFACT)` })
  uom?: Unit;

  @ApiPropertyOptional({ description: 'harvest: the plots harvested', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'plotIds must be UUIDs' })
  plotIds?: string[];

  @ApiPropertyOptional({ description: 'drying/processing: input lots', type: [LotQuantityDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LotQuantityDto)
  inputs?: LotQuantityDto[];

  @ApiPropertyOptional({ description: 'drying/processing: output lots', type: [LotQuantityDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => LotQuantityDto)
  outputs?: LotQuantityDto[];

  @ApiPropertyOptional({ description: 'Where it happened (a location id); harvests default to the plot' })
  @IsOptional()
  @IsUUID('all', { message: 'locationId must be a UUID' })
  locationId?: string;

  @ApiPropertyOptional({ enum: DISPOSITIONS })
  @IsOptional()
  @IsIn(DISPOSITIONS as unknown as string[], { message: `disposition must be one of ${DISPOSITIONS.join(', ')}` })
  disposition?: string;

  @ApiPropertyOptional({ description: 'shipping: destination party or place (URI)' })
  @IsOptional()
  @IsUrl({ require_tld: false }, { message: 'destination must be a URI' })
  destination?: string;

  @ApiPropertyOptional({ type: [String], description: 'URIs of certificates covering this step' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUrl({ require_tld: false }, { each: true, message: 'certificationInfo must be URIs' })
  certificationInfo?: string[];

  @ApiPropertyOptional({ description: 'eventID of an earlier event this one corrects' })
  @IsOptional()
  @Matches(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/, { message: 'correctsEventId must be an eventID (ni:///sha-256;…?ver=CBV2.0)' })
  correctsEventId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class EventQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'EPC or EPC class (lot Digital Link / LGTIN URN) the events must mention' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  MATCH_anyEPCClass?: string;

  @ApiPropertyOptional({ description: 'Lot id (inventory lot)' })
  @IsOptional()
  @IsUUID('all', { message: 'lotId must be a UUID' })
  lotId?: string;

  @ApiPropertyOptional({ description: 'CBV business step (bare word or URI), e.g. commissioning' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  EQ_bizStep?: string;

  @ApiPropertyOptional({ description: 'Events at or after this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'GE_eventTime must be an ISO 8601 date-time' })
  GE_eventTime?: string;

  @ApiPropertyOptional({ description: 'Events before this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'LT_eventTime must be an ISO 8601 date-time' })
  LT_eventTime?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class LabelsQuery {
  @ApiPropertyOptional({ default: 24, maximum: 480 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'count must be a whole number' })
  @Min(1, { message: 'count must be between 1 and 480' })
  @Max(480, { message: 'count must be between 1 and 480' })
  count = 24;

  @ApiPropertyOptional({ description: 'Give each label its own serial (AI 21)', default: false })
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'serials must be true or false' })
  serials?: string;
}

export class QrQuery {
  @ApiPropertyOptional({ enum: ['svg', 'png'], default: 'svg' })
  @IsOptional()
  @IsIn(['svg', 'png'], { message: 'format must be svg or png' })
  format?: 'svg' | 'png';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20)
  serial?: string;
}

export class RecallDto {
  @ApiProperty({ example: 'Phát hiện nấm mốc / Mould found in retained sample' })
  @IsString()
  @Length(5, 500, { message: 'reason must be 5-500 characters' })
  reason!: string;
}

export class CoopPageQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}
