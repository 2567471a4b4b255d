import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from '@htx/shared';
import type { OrderStatus } from '../state-machine';

/** One checkout per Idempotency-Key: the orders (one per cooperative) a shopper pays for together. */
@Entity({ name: 'checkouts' })
export class Checkout {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'idempotency_key', type: 'text', unique: true }) idempotencyKey!: string;
  @Column({ name: 'request_hash', type: 'text' }) requestHash!: string;
  @Column({ name: 'payment_method', type: 'text' }) paymentMethod!: 'cod' | 'vnpay' | 'vietqr';
  @Column({ name: 'total_vnd', type: 'bigint', transformer: bigintToNumber }) totalVnd!: number;
  @Column({ type: 'jsonb', nullable: true }) response!: unknown;
  @Column({ name: 'payment_due_at', type: 'timestamptz', nullable: true }) paymentDueAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'orders' })
export class Order {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) code!: string;
  @Column({ name: 'checkout_id', type: 'uuid', nullable: true }) checkoutId!: string | null;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ type: 'text', default: 'shop' }) channel!: 'shop' | 'postmart';
  @Column({ name: 'external_ref', type: 'text', nullable: true }) externalRef!: string | null;
  @Column({ type: 'text' }) status!: OrderStatus;
  @Column({ name: 'payment_method', type: 'text' }) paymentMethod!: 'cod' | 'vnpay' | 'vietqr' | 'marketplace';
  @Column({ name: 'customer_name', type: 'text' }) customerName!: string;
  @Column({ name: 'customer_phone', type: 'text' }) customerPhone!: string;
  @Column({ name: 'customer_email', type: 'text', nullable: true }) customerEmail!: string | null;
  @Column({ name: 'province_code', type: 'text' }) provinceCode!: string;
  @Column({ name: 'province_name', type: 'text' }) provinceName!: string;
  @Column({ name: 'commune_code', type: 'text' }) communeCode!: string;
  @Column({ name: 'commune_name', type: 'text' }) communeName!: string;
  @Column({ name: 'address_line', type: 'text' }) addressLine!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'subtotal_vnd', type: 'bigint', transformer: bigintToNumber }) subtotalVnd!: number;
  @Column({ name: 'shipping_fee_vnd', type: 'bigint', transformer: bigintToNumber }) shippingFeeVnd!: number;
  @Column({ name: 'total_vnd', type: 'bigint', transformer: bigintToNumber }) totalVnd!: number;
  @Column({ name: 'placed_at', type: 'timestamptz' }) placedAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export interface OrderLineLot {
  lotId: string;
  lotCode: string;
  quantity: number;
  expiryDate: string | null;
}

@Entity({ name: 'order_lines' })
export class OrderLine {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId!: string;
  @Column({ type: 'text' }) sku!: string;
  @Column({ name: 'product_name_vi', type: 'text' }) productNameVi!: string;
  @Column({ name: 'variant_name_vi', type: 'text' }) variantNameVi!: string;
  @Column({ name: 'unit_price_vnd', type: 'bigint', transformer: bigintToNumber }) unitPriceVnd!: number;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ name: 'line_total_vnd', type: 'bigint', transformer: bigintToNumber }) lineTotalVnd!: number;
  /** The lots the line was allocated from (first-expiring first), once allocated. */
  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` }) lots!: OrderLineLot[];
}

/** Audit of every status change: who, when, from, to, note. */
@Entity({ name: 'order_transitions' })
export class OrderTransition {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'from_status', type: 'text', nullable: true }) fromStatus!: OrderStatus | null;
  @Column({ name: 'to_status', type: 'text' }) toStatus!: OrderStatus;
  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true }) actorUserId!: string | null;
  @Column({ type: 'text' }) actor!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'order_code_counters' })
export class OrderCodeCounter {
  @PrimaryColumn({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @PrimaryColumn({ type: 'date' }) day!: string;
  @Column({ name: 'last_value', type: 'integer' }) lastValue!: number;
}
