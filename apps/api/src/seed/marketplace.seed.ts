import type { EntityManager } from 'typeorm';
import { CredentialCipher, secretHint } from '@htx/marketplace';
import type { AppConfig } from '@htx/shared';
import type { SeededCatalog } from './catalog.seed';
import type { SeedContext } from './seed';

/** The demo merchant the Postmart simulator (apps/postmart-sim, `npm start`) also knows. */
export const DEMO_POSTMART = {
  merchantId: 'HTX-THIENAN',
  secret: 'pm-demo-secret-thien-an-0123456789',
  /** Postmart's "Thực Phẩm - Đặc sản" category and its commission. */
  categoryId: 782,
  categoryName: 'Thực Phẩm - Đặc sản',
  commissionRate: 6.5,
};

const LISTED = ['la-tam-nguoi-dao', 'tra-giao-co-lam', 'tra-giao-co-lam-tui-loc', 'tinh-bot-nghe'];

/**
 * Connects the Thiên An cooperative to Postmart (the local simulator on port 8089 unless POSTMART_BASE_URL is set),
 * with four products mapped to category 782 and listed, +10 % on the channel. Idempotent. In tests the connection
 * is created disabled, so that no test app talks to a simulator it did not start.
 */
export async function seedMarketplace(tx: EntityManager, config: AppConfig, ctx: SeedContext): Promise<void> {
  const catalog = ctx.catalog as SeededCatalog | undefined;
  const baseUrl = process.env['POSTMART_BASE_URL'] || `http://127.0.0.1:${process.env['POSTMART_SIM_PORT'] || 8089}`;
  const merchantId = process.env['POSTMART_MERCHANT_ID'] || DEMO_POSTMART.merchantId;
  const secret = process.env['POSTMART_MERCHANT_SECRET'] || DEMO_POSTMART.secret;
  const cipher = CredentialCipher.fromConfig(config);
  await tx.query(
    `INSERT INTO channel_connections (cooperative_id, channel, base_url, merchant_id, secret_enc, secret_hint, enabled, price_rule_percent)
     VALUES ($1, 'postmart', $2, $3, $4, $5, $6, 10)
     ON CONFLICT (cooperative_id, channel) DO NOTHING`,
    [ctx.cooperatives.thienAn, baseUrl, merchantId, cipher.encrypt(secret), secretHint(secret), config.NODE_ENV !== 'test'],
  );
  const [conn] = await tx.query(`SELECT id FROM channel_connections WHERE cooperative_id = $1 AND channel = 'postmart'`, [ctx.cooperatives.thienAn]);
  if (!process.env['POSTMART_BASE_URL']) {
    // The local simulator keeps its state in memory and starts empty on every `npm start`: forget what an earlier run
    // pushed to it, so the listings are created there again (a real Postmart keeps them, so this is the demo's only).
    await tx.query(
      `UPDATE channel_listings SET external_id = NULL, pushed_hash = NULL, pushed_price = NULL, pushed_stock = NULL, pushed_status = NULL,
              status = 'pending', last_error = NULL WHERE connection_id = $1`,
      [conn.id],
    );
    await tx.query(`UPDATE channel_connections SET order_cursor = NULL WHERE id = $1`, [conn.id]);
  }
  const productIds = LISTED.map((slug) => catalog?.productsBySlug[slug]?.id).filter((id): id is string => !!id);
  await tx.query(
    `INSERT INTO channel_products (connection_id, product_id, listed, category_id, category_name, commission_rate)
     SELECT $1, p, true, $3, $4, $5 FROM unnest($2::uuid[]) AS p
     ON CONFLICT (connection_id, product_id) DO NOTHING`,
    [conn.id, productIds, DEMO_POSTMART.categoryId, DEMO_POSTMART.categoryName, DEMO_POSTMART.commissionRate],
  );
}
