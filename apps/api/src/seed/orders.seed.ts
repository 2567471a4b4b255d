import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { CatalogService } from '@htx/catalog';
import { InventoryService } from '@htx/inventory';
import { CheckoutDto, OrdersService, SYSTEM_ACTOR, type OrderStatus } from '@htx/orders';
import { CodProvider, PaymentsService, VietQrProvider, VnpayProvider } from '@htx/payments';
import { AppError, listCommunes, type AppConfig } from '@htx/shared';
import type { SeedContext } from './seed';
import type { SeededCatalog } from './catalog.seed';

const CUSTOMERS: Array<[string, string, string, string]> = [
  // name, phone, province code, address line
  ['Nguyễn Thị Lan', '0912345001', '01', 'Số 12 ngõ 45 phố Kim Mã'],
  ['Trần Văn Hùng', '0987650002', '79', '88 Nguyễn Thị Minh Khai'],
  ['Lê Thị Hoa', '0356780003', '48', '21 Lê Duẩn'],
  ['Phạm Minh Tuấn', '0773210004', '31', '7 Lạch Tray'],
  ['Hoàng Thị Mai', '0839870005', '19', 'Tổ 5, phường Phan Đình Phùng'],
  ['Vũ Đức Anh', '0961230006', '92', '15 đường 30/4'],
  ['Đặng Thu Trang', '0888120007', '40', 'Khối 3, đường Lê Lợi'],
  ['Bùi Quang Vinh', '0703450008', '66', '102 Phan Bội Châu'],
  ['Đỗ Thị Ngọc', '0944560009', '08', 'Thôn Nậm Tỵ'],
  ['Ngô Văn Long', '0329990010', '25', 'Khu 4, đường Hùng Vương'],
];

/** The life of each demo order: the statuses it moves through after checkout (cash on delivery starts confirmed, online paid). */
const PATHS: Array<{ weight: number; online: boolean; path: OrderStatus[] }> = [
  { weight: 45, online: false, path: ['packed', 'shipped', 'delivered'] },
  { weight: 15, online: true, path: ['paid', 'packed', 'shipped', 'delivered'] },
  { weight: 8, online: false, path: ['packed', 'shipped'] },
  { weight: 5, online: false, path: ['packed'] },
  { weight: 5, online: false, path: [] },
  { weight: 8, online: false, path: ['cancelled'] },
  { weight: 7, online: true, path: ['cancelled'] },
  { weight: 7, online: false, path: ['packed', 'shipped', 'delivered', 'returned'] },
];

/** Deterministic pseudo-random numbers so every seed run builds the same demo. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const noQueue = {
  add: async () => {
    throw new Error('the demo seed queues no jobs');
  },
} as unknown as Queue;

/**
 * Past orders over the last 30 days, in several states and both channels, so the manager's reports show
 * something. Placed through the real order flow (OrdersService with InventoryService) inside the seed's
 * transaction, so every stock change goes through the inventory ledger and the counters stay equal to it.
 * Idempotent: the demo checkouts have fixed Idempotency-Keys; once they exist the step does nothing (a demo
 * cart the stock cannot cover is left out, and must stay out on later runs).
 */
export async function seedOrders(tx: EntityManager, config: AppConfig, ctx: SeedContext): Promise<void> {
  const catalog = ctx.catalog as SeededCatalog | undefined;
  if (!catalog) return;
  const inventory = new InventoryService(tx.connection);
  const payments = new PaymentsService(tx.connection, new CodProvider(), new VnpayProvider(config), new VietQrProvider());
  const orders = new OrdersService(tx.connection, new CatalogService(tx.connection), inventory, config, noQueue, payments);
  // The whole seed runs in one transaction, so demo orders are either all there or none: run once.
  const done = await tx.query(`SELECT 1 FROM checkouts WHERE idempotency_key LIKE 'demo-seed-order-%' LIMIT 1`);
  if (done.length) return;
  const variants = Object.values(catalog.variantsBySku).sort((a, b) => a.sku.localeCompare(b.sku));
  if (!variants.length) return;
  const random = prng(20251123);
  const totalWeight = PATHS.reduce((s, p) => s + p.weight, 0);
  const now = Date.now();
  let n = 0;
  for (let daysAgo = 30; daysAgo >= 1; daysAgo--) {
    const perDay = 1 + Math.floor(random() * 3);
    for (let k = 0; k < perDay; k++) {
      n++;
      const key = `demo-seed-order-${String(n).padStart(3, '0')}`;
      let pick = random() * totalWeight;
      const life = PATHS.find((p) => (pick -= p.weight) < 0) ?? PATHS[0];
      const channel = random() < 0.3 ? 'postmart' : 'shop';
      const [name, phone, provinceCode, line] = CUSTOMERS[Math.floor(random() * CUSTOMERS.length)];
      const communes = listCommunes(provinceCode) ?? [];
      const commune = communes[Math.floor(random() * communes.length)];
      const lineCount = 1 + Math.floor(random() * 2);
      const items = new Map<string, number>();
      for (let i = 0; i < lineCount; i++) items.set(variants[Math.floor(random() * variants.length)].id, 1 + Math.floor(random() * 3));
      const placedAt = new Date(now - daysAgo * 86_400_000 + Math.floor(random() * 10 * 3600_000) - 5 * 3600_000);
      if (!commune) continue;
      const dto = Object.assign(new CheckoutDto(), {
        items: [...items].map(([variantId, quantity]) => ({ variantId, quantity })),
        customer: { name, phone },
        shippingAddress: { provinceCode, communeCode: commune.code, line },
        paymentMethod: life.online && channel === 'shop' ? 'vnpay' : 'cod',
      }) as CheckoutDto;
      await tx.query('SAVEPOINT demo_order');
      try {
        const prepared = await orders.prepare(dto, tx);
        const { body } = await orders.placeInTx(tx, key, prepared, { channel, externalRef: channel === 'postmart' ? `PM-DEMO-${n}` : null, placedAt, skipExpiryJob: true, skipPayment: true });
        let at = placedAt.getTime();
        for (const to of life.path) {
          if (dto.paymentMethod === 'cod' && to === 'paid') continue;
          at += (2 + Math.floor(random() * 20)) * 3600_000;
          const note = to === 'paid' ? 'Thanh toán VNPay (dữ liệu mẫu) / VNPay payment (demo data)' : 'Dữ liệu mẫu / demo data';
          for (const o of body.orders) await orders.transitionInTx(tx, o.id, null, to, SYSTEM_ACTOR, note, new Date(Math.min(at, now - 60_000)));
        }
        await tx.query('RELEASE SAVEPOINT demo_order');
      } catch (e) {
        // Not enough stock for this demo cart (lots are seeded separately): leave it out, keep the rest.
        await tx.query('ROLLBACK TO SAVEPOINT demo_order');
        if (!(e instanceof AppError)) throw e;
      }
    }
  }
}
