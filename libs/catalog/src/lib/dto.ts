import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
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
import { PageQuery, trimString } from '@htx/shared';
import { CERTIFICATE_KINDS, PRODUCT_STATUSES, type CertificateKind, type ProductStatus } from './entities/catalog.entities';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const IMAGE_URL = /^(\/[A-Za-z0-9._~\-/%]+|https:\/\/[^\s]+)$/;
const DATE_ONLY = { strict: true, strictSeparator: true };

export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc', 'relevance'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export class ProductListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Search (diacritics optional): "tra giao co lam" finds "Trà giảo cổ lam"' })
  @IsOptional()
  @Transform(trimString)
  @IsString({ message: 'q must be text' })
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  q?: string;

  @ApiPropertyOptional({ description: 'Cooperative slug', example: 'thien-an' })
  @IsOptional()
  @Matches(SLUG, { message: 'cooperative must be a cooperative slug such as thien-an' })
  cooperative?: string;

  @ApiPropertyOptional({ description: 'Category slug', example: 'tra' })
  @IsOptional()
  @Matches(SLUG, { message: 'category must be a category slug such as tra' })
  category?: string;

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, description: 'Default: relevance when q is given, else newest' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS, { message: `sort must be one of ${PRODUCT_SORTS.join(', ')}` })
  sort?: ProductSort;
}

export class ManageProductListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(100, { message: 'q must be at most 100 characters' })
  q?: string;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES, { message: `status must be one of ${PRODUCT_STATUSES.join(', ')}` })
  status?: ProductStatus;

  @ApiPropertyOptional({ description: 'Platform admins only: restrict to one cooperative' })
  @IsOptional()
  @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}

export class CreateVariantDto {
  @ApiProperty({ example: 'TA-GCL-100' })
  @Transform(trimString)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku!: string;

  @ApiProperty({ example: 'Túi 100 g' })
  @Transform(trimString)
  @IsString({ message: 'nameVi must be text' })
  @Length(1, 120, { message: 'nameVi must be 1 to 120 characters' })
  nameVi!: string;

  @ApiPropertyOptional({ example: '100 g bag' })
  @IsOptional() @Transform(trimString) @IsString() @MaxLength(120, { message: 'nameEn must be at most 120 characters' })
  nameEn?: string;

  @ApiProperty({ example: 100 })
  @IsInt({ message: 'weightGrams must be a whole number of grams' })
  @Min(1, { message: 'weightGrams must be at least 1' })
  @Max(1000000, { message: 'weightGrams must be at most 1000000 (1 tonne)' })
  weightGrams!: number;

  @ApiProperty({ example: 85000, description: 'Price in whole đồng (VND)' })
  @IsInt({ message: 'priceVnd must be a whole number of đồng' })
  @Min(1, { message: 'priceVnd must be more than 0' })
  @Max(1000000000, { message: 'priceVnd must be at most 1000000000' })
  priceVnd!: number;

  @ApiProperty({ example: '8936012345672', description: 'GTIN-13 or GTIN-14 with a valid check digit; stored as GTIN-14' })
  @Transform(trimString)
  @IsString({ message: 'gtin must be text of 13 or 14 digits' })
  gtin!: string;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1000)
  sortOrder?: number;
}

export class UpdateVariantDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimString)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @Length(1, 120, { message: 'nameVi must be 1 to 120 characters' })
  nameVi?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(120)
  nameEn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'weightGrams must be a whole number of grams' })
  @Min(1, { message: 'weightGrams must be at least 1' })
  @Max(1000000, { message: 'weightGrams must be at most 1000000 (1 tonne)' })
  weightGrams?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'priceVnd must be a whole number of đồng' })
  @Min(1, { message: 'priceVnd must be more than 0' })
  @Max(1000000000, { message: 'priceVnd must be at most 1000000000' })
  priceVnd?: number;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString({ message: 'gtin must be text of 13 or 14 digits' })
  gtin?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1000)
  sortOrder?: number;
}

export class CreateCertificateDto {
  @ApiProperty({ enum: CERTIFICATE_KINDS })
  @IsIn(CERTIFICATE_KINDS, { message: `kind must be one of ${CERTIFICATE_KINDS.join(', ')}` })
  kind!: CertificateKind;

  @ApiProperty({ example: 'Chứng nhận VietGAP' })
  @Transform(trimString) @IsString({ message: 'name must be text' }) @Length(2, 200, { message: 'name must be 2 to 200 characters' })
  name!: string;

  @ApiProperty({ example: 'Trung tâm Kiểm nghiệm và Chứng nhận chất lượng TQC' })
  @Transform(trimString) @IsString({ message: 'issuer must be text' }) @Length(2, 200, { message: 'issuer must be 2 to 200 characters' })
  issuer!: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(100)
  number?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 5, description: 'OCOP stars (only and always for kind ocop)' })
  @IsOptional()
  @IsInt({ message: 'stars must be a whole number from 1 to 5' })
  @Min(1, { message: 'stars must be from 1 to 5' })
  @Max(5, { message: 'stars must be from 1 to 5' })
  stars?: number;

  @ApiPropertyOptional({ example: '2025-01-15' })
  @IsOptional() @IsISO8601(DATE_ONLY, { message: 'validFrom must be a date such as 2025-01-15' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validFrom must be a date such as 2025-01-15' })
  validFrom?: string;

  @ApiPropertyOptional({ example: '2028-01-14' })
  @IsOptional() @IsISO8601(DATE_ONLY, { message: 'validTo must be a date such as 2028-01-14' }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validTo must be a date such as 2028-01-14' })
  validTo?: string;

  @ApiPropertyOptional() @IsOptional() @Matches(IMAGE_URL, { message: 'documentUrl must be a path starting with / or an https:// URL' }) @MaxLength(500)
  documentUrl?: string;
}

class ProductFields {
  @ApiPropertyOptional({ example: 'Jiaogulan tea' })
  @IsOptional() @Transform(trimString) @IsString() @MaxLength(200, { message: 'nameEn must be at most 200 characters' })
  nameEn?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000, { message: 'descriptionVi must be at most 10000 characters' })
  descriptionVi?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000, { message: 'descriptionEn must be at most 10000 characters' })
  descriptionEn?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(120, { message: 'brand must be at most 120 characters' })
  brand?: string;

  @ApiPropertyOptional({ description: 'Category id (see GET /api/categories)' })
  @IsOptional() @IsUUID('4', { message: 'categoryId must be a category id (UUID)' })
  categoryId?: string;

  @ApiPropertyOptional({ type: [String], example: ['/images/products/tra-giao-co-lam.jpg'] })
  @IsOptional()
  @IsArray({ message: 'imageUrls must be a list of URLs' })
  @ArrayMaxSize(20, { message: 'imageUrls may hold at most 20 images' })
  @Matches(IMAGE_URL, { each: true, message: 'each of imageUrls must be a path starting with / or an https:// URL' })
  @MaxLength(500, { each: true })
  imageUrls?: string[];

  @ApiPropertyOptional({ example: 365 })
  @IsOptional()
  @IsInt({ message: 'shelfLifeDays must be a whole number of days' })
  @Min(1, { message: 'shelfLifeDays must be from 1 to 3650' })
  @Max(3650, { message: 'shelfLifeDays must be from 1 to 3650' })
  shelfLifeDays?: number;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES, { message: `status must be one of ${PRODUCT_STATUSES.join(', ')}` })
  status?: ProductStatus;
}

export class CreateProductDto extends ProductFields {
  @ApiPropertyOptional({ description: 'Platform admins: the cooperative the product belongs to; managers: omit (their own)' })
  @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;

  @ApiProperty({ example: 'tra-giao-co-lam' })
  @Transform(trimString)
  @Matches(SLUG, { message: 'slug must be lower-case letters and digits joined by single dashes, e.g. tra-giao-co-lam' })
  @MaxLength(120, { message: 'slug must be at most 120 characters' })
  slug!: string;

  @ApiProperty({ example: 'Trà giảo cổ lam' })
  @Transform(trimString) @IsString({ message: 'nameVi must be text' }) @Length(2, 200, { message: 'nameVi must be 2 to 200 characters' })
  nameVi!: string;

  @ApiPropertyOptional({ type: [CreateVariantDto] })
  @IsOptional()
  @IsArray({ message: 'variants must be a list' })
  @ArrayMaxSize(20, { message: 'a product may have at most 20 variants' })
  @ValidateNested({ each: true })
  @Type(() => CreateVariantDto)
  variants?: CreateVariantDto[];

  @ApiPropertyOptional({ type: [CreateCertificateDto] })
  @IsOptional()
  @IsArray({ message: 'certificates must be a list' })
  @ArrayMaxSize(20, { message: 'a product may have at most 20 certificates' })
  @ValidateNested({ each: true })
  @Type(() => CreateCertificateDto)
  certificates?: CreateCertificateDto[];
}

export class UpdateProductDto extends ProductFields {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimString)
  @Matches(SLUG, { message: 'slug must be lower-case letters and digits joined by single dashes, e.g. tra-giao-co-lam' })
  @MaxLength(120, { message: 'slug must be at most 120 characters' })
  slug?: string;

  @ApiPropertyOptional({ example: 'Trà giảo cổ lam' })
  @IsOptional() @Transform(trimString) @IsString({ message: 'nameVi must be text' }) @Length(2, 200, { message: 'nameVi must be 2 to 200 characters' })
  nameVi?: string;
}
