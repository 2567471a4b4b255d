import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from '@htx/shared';
import type { MovementKind } from '../inventory.types';

/** A lot (batch) of one variant: the unit of stock, expiry, traceability and recall. */
@Entity({ name: 'inventory_lots' })
export class InventoryLot {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ name: 'lot_code', type: 'text' }) lotCode!: string;
  @Column({ name: 'harvest_date', type: 'date', nullable: true }) harvestDate!: string | null;
  @Column({ name: 'expiry_date', type: 'date', nullable: true }) expiryDate!: string | null;
  @Column({ name: 'quantity_received', type: 'int' }) quantityReceived!: number;
  /** Cached: Σ of the lot's receipt/adjustment/allocation/return movements. */
  @Column({ name: 'on_hand', type: 'int' }) onHand!: number;
  @Column({ type: 'text', default: '' }) note!: string;
  @Column({ name: 'recalled_at', type: 'timestamptz', nullable: true }) recalledAt!: Date | null;
  @Column({ name: 'recall_reason', type: 'text', nullable: true }) recallReason!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Cached per-variant counters (see the migration for the ledger sums they equal). */
@Entity({ name: 'inventory_stock' })
export class InventoryStock {
  @PrimaryColumn({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ name: 'on_hand', type: 'int' }) onHand!: number;
  @Column({ type: 'int' }) blocked!: number;
  @Column({ type: 'int' }) reserved!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'inventory_reservations' })
export class InventoryReservation {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @PrimaryColumn({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ type: 'int' }) reserved!: number;
  @Column({ type: 'int' }) allocated!: number;
  @Column({ type: 'int' }) released!: number;
}

@Entity({ name: 'inventory_allocations' })
export class InventoryAllocation {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @PrimaryColumn({ name: 'lot_id', type: 'uuid' }) lotId!: string;
  @Column({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ type: 'int' }) quantity!: number;
  @Column({ type: 'int' }) returned!: number;
}

/** One row of the append-only stock ledger. */
@Entity({ name: 'inventory_movements' })
export class InventoryMovement {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'cooperative_id', type: 'uuid' }) cooperativeId!: string;
  @Column({ name: 'variant_id', type: 'uuid' }) variantId!: string;
  @Column({ name: 'lot_id', type: 'uuid', nullable: true }) lotId!: string | null;
  @Column({ name: 'order_id', type: 'uuid', nullable: true }) orderId!: string | null;
  @Column({ type: 'text' }) kind!: MovementKind;
  @Column({ type: 'int', transformer: bigintToNumber }) quantity!: number;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
