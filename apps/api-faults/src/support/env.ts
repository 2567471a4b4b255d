import path from 'node:path';
import { pgUrl, REDIS_URL } from './services';

export const ROOT = path.resolve(__dirname, '../../../..');
export const OUT_DIR = path.join(ROOT, 'test-output');
export const DEMO_PASSWORD = 'faults-demo-password';
export const TMN_CODE = 'HTXFAULT1';
export const SECURE_SECRET = 'FAULTSSECRETFAULTSSECRETFAULTS42';
/** The Postmart merchant the demo seed connects Thiên An with, and the simulator the cluster test starts for it. */
export const POSTMART_SIM_PORT = 9493;
export const POSTMART_MERCHANT_ID = 'HTX-FAULTS';
export const POSTMART_MERCHANT_SECRET = 'pm-faults-secret-0123456789abcdef';

/** The environment every API or worker process of one test file gets: its own database and Redis key prefix. */
export function platformEnv(db: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: pgUrl(db),
    REDIS_URL,
    REDIS_PREFIX: db.replace(/_/g, '-').slice(0, 40),
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '1000000',
    TRACKING_RATE_LIMIT_PER_MINUTE: '1000000',
    TRACE_RATE_LIMIT_PER_MINUTE: '1000000',
    JWT_SECRET: 'faults-only-secret-0123456789abcdef',
    DEMO_PASSWORD,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9490',
    // Production mode refuses a plain-http marketplace URL unless the host is allowed: the Postmart simulator's is.
    CHANNEL_ALLOWED_HOSTS: `127.0.0.1:${POSTMART_SIM_PORT}`,
    ...extra,
  };
}

