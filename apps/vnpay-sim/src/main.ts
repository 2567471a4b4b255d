import { startVnpaySimulator } from './simulator';

/** Runs the VNPay simulator for the demo: VNPAY_SIM_PORT (default 8088), VNPAY_TMN_CODE, VNPAY_SECURE_SECRET, VNPAY_IPN_URL. */
async function main() {
  const sim = await startVnpaySimulator({
    port: Number(process.env['VNPAY_SIM_PORT'] ?? 8088),
    host: process.env['VNPAY_SIM_HOST'] ?? '127.0.0.1',
    tmnCode: process.env['VNPAY_TMN_CODE'] ?? 'HTXDEMO1',
    secureSecret: process.env['VNPAY_SECURE_SECRET'] ?? 'HTXDEMOSECRETHTXDEMOSECRET123456',
    ipnUrl: process.env['VNPAY_IPN_URL'] ?? `http://127.0.0.1:${process.env['API_PORT'] ?? 3000}/api/payments/vnpay/ipn`,
  });
  console.log(`VNPay simulator listening on ${sim.url} (set VNPAY_HOST=${sim.url} in the API)`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
