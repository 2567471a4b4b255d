import { InventoryAllocation, InventoryLot, InventoryMovement, InventoryReservation, InventoryStock } from './lib/entities/inventory.entities';
import { InventoryInit1764100000000 } from './lib/migrations/1764100000000-inventory-init';

export { InventoryModule } from './lib/inventory.module';
export { InventoryService } from './lib/inventory.service';
export * from './lib/inventory.types';
export { InventoryAllocation, InventoryLot, InventoryMovement, InventoryReservation, InventoryStock };
/** Transaction-level stock operations (used by the seed and by benches; services should use InventoryService). */
export { receiveLot, adjustLot, reserve, release, allocate, returnAllocated, markRecalled, availableByVariant } from './lib/inventory.ops';

export const INVENTORY_ENTITIES: Array<new () => unknown> = [InventoryLot, InventoryStock, InventoryReservation, InventoryAllocation, InventoryMovement];
export const INVENTORY_MIGRATIONS: Array<new () => unknown> = [InventoryInit1764100000000];
