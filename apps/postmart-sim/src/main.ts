import { startPostmartSimulator } from './simulator';

/**
 * Runs the Postmart simulator for the demo: POSTMART_SIM_PORT (default 8089), and the demo merchant that the seed
 * connects the Thiên An cooperative with (POSTMART_MERCHANT_ID, POSTMART_MERCHANT_SECRET, POSTMART_CALLBACK_URL).
 */
async function main() {
  const apiPort = process.env['API_PORT'] ?? 3000;
  const sim = await startPostmartSimulator({
    port: Number(process.env['POSTMART_SIM_PORT'] ?? 8089),
    host: process.env['POSTMART_SIM_HOST'] ?? '127.0.0.1',
    merchants: [
      {
        merchantId: process.env['POSTMART_MERCHANT_ID'] ?? 'HTX-THIENAN',
        secret: process.env['POSTMART_MERCHANT_SECRET'] ?? 'pm-demo-secret-thien-an-0123456789',
        shopName: 'HTX Thiên An',
        callbackUrl: process.env['POSTMART_CALLBACK_URL'] ?? `http://127.0.0.1:${apiPort}/api/channels/postmart/webhook`,
      },
    ],
  });
  console.log(`Postmart simulator listening on ${sim.url} (control API under ${sim.url}/__sim/state)`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
