/**
 * The whole platform as a shopper meets it, black-box: a fresh database migrated and seeded by the real CLIs,
 * the API process, and the built storefront, each a child process on its own port.
 */
export const E2E_API_PORT = Number(process.env.E2E_API_PORT ?? 3901);
export const E2E_WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 4901);
export const WEB = `http://127.0.0.1:${E2E_WEB_PORT}`;
export const API = `http://127.0.0.1:${E2E_API_PORT}`;
/** The VNPay simulator stands in for VNPay's gateway (apps/vnpay-sim), as in the demo. */
export const E2E_VNPAY_PORT = Number(process.env.E2E_VNPAY_PORT ?? 9391);
export const VNPAY = `http://127.0.0.1:${E2E_VNPAY_PORT}`;
/** The Postmart simulator (apps/postmart-sim): the seed connects Thiên An to it. */
export const E2E_POSTMART_PORT = Number(process.env.E2E_POSTMART_PORT ?? 9392);
export const POSTMART = `http://127.0.0.1:${E2E_POSTMART_PORT}`;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function databaseUrl(): string {
  const name = process.env.HTX_E2E_DB;
  if (!name) throw new Error('HTX_E2E_DB is not set: run through jest (globalSetup starts the platform)');
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}
