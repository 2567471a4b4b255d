/** Public contract of the inventory domain. */

export interface StockShortage {
  variantId: string;
  requested: number;
  available: number;
}

export interface LotAllocation {
  orderId: string;
  variantId: string;
  lotId: string;
  lotCode: string;
  quantity: number;
  expiryDate: string | null;
}

export interface LotView {
  id: string;
  cooperativeId: string;
  variantId: string;
  lotCode: string;
  harvestDate: string | null;
  expiryDate: string | null;
  quantityReceived: number;
  onHand: number;
  recalledAt: Date | null;
  recallReason: string | null;
  createdAt: Date;
}

export interface ReceiveLotInput {
  cooperativeId: string;
  variantId: string;
  lotCode: string;
  harvestDate?: string | null;
  expiryDate?: string | null;
  quantity: number;
  note?: string;
  actorId?: string | null;
}

export type MovementKind = 'receipt' | 'reservation' | 'allocation' | 'release' | 'adjustment' | 'return' | 'recall';
