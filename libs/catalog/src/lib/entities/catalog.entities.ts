import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '@htx/shared';

export type ProductStatus = 'active' | 'draft' | 'archived';
export const PRODUCT_STATUSES: ProductStatus[] = ['active', 'draft', 'archived'];
export type CertificateKind = 'vietgap' | 'organic' | 'ocop' | 'other';
export const CERTIFICATE_KINDS: CertificateKind[] = ['vietgap', 'organic', 'ocop', 'other'];

@Entity({ name: 'categories' })
export class Category {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) slug!: string;
  @Column({ name: 'name_vi', type: 'text' }) nameVi!: string;
  @Column({ name: 'name_en', type: 'text', nullable: true }) nameEn!: string | null;
  @Column({ name: 'sort_order', type: 'int', default: 0 }) sortOrder!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A product of one cooperative; sold as one or more variants (pack sizes). */
@Entity({ name: 'products' })
export class Product {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ name: 'category_id', type: 'uuid', nullable: true }) categoryId!: string | null;
  @Column({ type: 'text', unique: true }) slug!: string;
  @Column({ name: 'name_vi', type: 'text' }) nameVi!: string;
  @Column({ name: 'name_en', type: 'text', nullable: true }) nameEn!: string | null;
  @Column({ name: 'description_vi', type: 'text', default: '' }) descriptionVi!: string;
  @Column({ name: 'description_en', type: 'text', default: '' }) descriptionEn!: string;
  @Column({ type: 'text', default: '' }) brand!: string;
  @Column({ name: 'image_urls', type: 'text', array: true, default: '{}' }) imageUrls!: string[];
  @Column({ name: 'shelf_life_days', type: 'int', nullable: true }) shelfLifeDays!: number | null;
  @Column({ type: 'text', default: 'draft' }) status!: ProductStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A pack size: SKU (unique per cooperative), weight, price in VND and a GTIN-14 (unique platform-wide). */
@Entity({ name: 'product_variants' })
export class ProductVariant {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId!: string;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ type: 'text' }) sku!: string;
  @Column({ name: 'name_vi', type: 'text' }) nameVi!: string;
  @Column({ name: 'name_en', type: 'text', nullable: true }) nameEn!: string | null;
  @Column({ name: 'weight_grams', type: 'int' }) weightGrams!: number;
  @Column({ name: 'price_vnd', type: 'bigint', transformer: bigintToNumber }) priceVnd!: number;
  @Column({ type: 'text' }) gtin!: string;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @Column({ name: 'sort_order', type: 'int', default: 0 }) sortOrder!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'product_certificates' })
export class ProductCertificate {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId!: string;
  @Column({ type: 'text' }) kind!: CertificateKind;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) issuer!: string;
  @Column({ type: 'text', nullable: true }) number!: string | null;
  @Column({ type: 'int', nullable: true }) stars!: number | null;
  @Column({ name: 'valid_from', type: 'date', nullable: true }) validFrom!: string | null;
  @Column({ name: 'valid_to', type: 'date', nullable: true }) validTo!: string | null;
  @Column({ name: 'document_url', type: 'text', nullable: true }) documentUrl!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
