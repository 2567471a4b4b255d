import { MigrationInterface, QueryRunner } from 'typeorm';

/** A small partial index of unpaid orders, so the overdue-checkout sweep never scans the order history. */
export class OrdersUnpaidIndex1764210000000 implements MigrationInterface {
  name = 'OrdersUnpaidIndex1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX orders_unpaid_checkout_idx ON orders (checkout_id) WHERE status IN ('placed', 'awaiting_payment')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_unpaid_checkout_idx`);
  }
}
