import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * The whole runtime configuration of the platform, read from the environment and validated once at
 * start-up. Domain libraries inject this class; nobody reads process.env elsewhere.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Matches(/^postgres(ql)?:\/\/[^\s]+\/[A-Za-z0-9_]+(\?.*)?$/, {
    message: 'DATABASE_URL must look like postgres://user[:password]@host:port/database',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/htx';

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must look like redis://host:port[/db]' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Transform(toInt)
  @IsInt({ message: 'DB_POOL_SIZE must be an integer' })
  @Min(1, { message: 'DB_POOL_SIZE must be between 1 and 200' })
  @Max(200, { message: 'DB_POOL_SIZE must be between 1 and 200' })
  DB_POOL_SIZE = 10;

  /** Prefix of every Redis key the platform writes (queues, rate limits): lets several deployments or test runs share one Redis. */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,40}$/, { message: 'REDIS_PREFIX must be 1-41 lowercase letters, digits, - or _' })
  REDIS_PREFIX = 'htx';

  /**
   * What this process does: `all` (default) serves HTTP and runs the background jobs (BullMQ workers); `api` serves
   * HTTP only (it still queues jobs); `worker` runs the background jobs only, with no HTTP listener. Several `api`
   * processes and one or more `worker` processes may share one database and Redis.
   */
  @IsIn(['all', 'api', 'worker'], { message: 'PROCESS_ROLE must be one of all, api, worker' })
  PROCESS_ROLE: 'all' | 'api' | 'worker' = 'all';

  @Transform(toInt)
  @IsInt({ message: 'API_PORT must be an integer' })
  @Min(0, { message: 'API_PORT must be between 0 and 65535' })
  @Max(65535, { message: 'API_PORT must be between 0 and 65535' })
  API_PORT = 3000;

  @Transform(toInt)
  @IsInt({ message: 'WEB_PORT must be an integer' })
  @Min(1, { message: 'WEB_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'WEB_PORT must be between 1 and 65535' })
  WEB_PORT = 4200;

  /** Public origin of the storefront; used in links, QR codes (GS1 Digital Link) and CORS. */
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?$/, { message: 'PUBLIC_BASE_URL must be an origin such as https://htxso.vn (no trailing slash)' })
  @IsOptional()
  PUBLIC_BASE_URL?: string;

  /** Extra browser origins allowed to call the API (comma-separated); the storefront's own origin is always allowed. */
  @IsOptional()
  @Matches(/^(https?:\/\/[^\s,/]+(:\d+)?)(,https?:\/\/[^\s,/]+(:\d+)?)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as https://shop.example.vn,https://admin.example.vn',
  })
  CORS_ORIGINS?: string;

  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET = 'dev-only-secret-change-me-0123456789';

  @Transform(toInt)
  @IsInt({ message: 'JWT_TTL_SECONDS must be an integer' })
  @Min(60, { message: 'JWT_TTL_SECONDS must be at least 60' })
  JWT_TTL_SECONDS = 8 * 3600;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** Failed logins for one e-mail address within LOGIN_LOCK_WINDOW_SECONDS before further attempts are refused. */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_MAX_FAILURES must be an integer' })
  @Min(1, { message: 'LOGIN_MAX_FAILURES must be at least 1' })
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt({ message: 'LOGIN_LOCK_WINDOW_SECONDS must be an integer' })
  @Min(1, { message: 'LOGIN_LOCK_WINDOW_SECONDS must be at least 1' })
  LOGIN_LOCK_WINDOW_SECONDS = 15 * 60;

  /** Sign-in attempts a minute from one client address (on top of the per-account lock-out). */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'LOGIN_RATE_LIMIT_PER_MINUTE must be at least 1' })
  LOGIN_RATE_LIMIT_PER_MINUTE = 20;

  /** Requests a minute that one client address may make to the public API. */
  @Transform(toInt)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'RATE_LIMIT_PER_MINUTE must be at least 1' })
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Peers trusted as reverse proxies, whose X-Forwarded-For names the real client (rate limits count per client):
   * comma-separated proxy-addr names (loopback, linklocal, uniquelocal), addresses or CIDRs. A client reaching the
   * API from anywhere else is counted by its own address, whatever X-Forwarded-For it sends.
   */
  @Matches(/^(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?)(,(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?))*$/, {
    message: 'TRUST_PROXY must be a comma-separated list of loopback, linklocal, uniquelocal, IP addresses or CIDRs (e.g. loopback,10.0.0.0/8)',
  })
  TRUST_PROXY = 'loopback,linklocal,uniquelocal';

  /** Checkouts (POST /api/orders) a minute that one client address may place. */
  @Transform(toInt)
  @IsInt({ message: 'CHECKOUT_RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'CHECKOUT_RATE_LIMIT_PER_MINUTE must be at least 1' })
  CHECKOUT_RATE_LIMIT_PER_MINUTE = 30;

  /** Order-tracking look-ups (GET /api/orders/:code?phone=) a minute from one client address: keeps codes and phones from being guessed. */
  @Transform(toInt)
  @IsInt({ message: 'TRACKING_RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'TRACKING_RATE_LIMIT_PER_MINUTE must be at least 1' })
  TRACKING_RATE_LIMIT_PER_MINUTE = 30;

  /** Trace scans (every GET under /api/trace/, including the Digital Link resolver's linkset) a minute from one client address. */
  @Transform(toInt)
  @IsInt({ message: 'TRACE_RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'TRACE_RATE_LIMIT_PER_MINUTE must be at least 1' })
  TRACE_RATE_LIMIT_PER_MINUTE = 600;

  /** Minutes an order awaiting online payment (VNPay, VietQR) keeps its reserved stock before it is cancelled. */
  @Transform(toInt)
  @IsInt({ message: 'ORDER_PAYMENT_TIMEOUT_MINUTES must be an integer' })
  @Min(1, { message: 'ORDER_PAYMENT_TIMEOUT_MINUTES must be between 1 and 10080' })
  @Max(10080, { message: 'ORDER_PAYMENT_TIMEOUT_MINUTES must be between 1 and 10080' })
  ORDER_PAYMENT_TIMEOUT_MINUTES = 30;

  /** VNPay merchant (terminal) code; VNPay is offered at checkout only when this and VNPAY_SECURE_SECRET are set. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4,20}$/, { message: 'VNPAY_TMN_CODE must be 4-20 letters or digits' })
  VNPAY_TMN_CODE?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'VNPAY_SECURE_SECRET must be at least 16 characters' })
  VNPAY_SECURE_SECRET?: string = undefined;

  /** VNPay gateway origin (payment page, querydr/refund API); the SDK's default is the sandbox, so production must set it. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'VNPAY_HOST must be an origin such as https://pay.vnpay.vn' })
  VNPAY_HOST?: string = undefined;

  /** Where VNPay sends the shopper back (this API's /api/payments/vnpay/return as the shopper reaches it); default PUBLIC_BASE_URL + that path. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'VNPAY_RETURN_URL must be an absolute http(s) URL' })
  VNPAY_RETURN_URL?: string = undefined;

  /** Shared secret of the bank-notification webhook (HMAC-SHA256); without it the webhook refuses every call. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'BANK_WEBHOOK_SECRET must be at least 16 characters' })
  BANK_WEBHOOK_SECRET?: string = undefined;

  /** Marketplace sync: changes within this window (ms) go out in one debounced job. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_DEBOUNCE_MS must be an integer' })
  @Min(10, { message: 'MARKETPLACE_DEBOUNCE_MS must be at least 10' })
  MARKETPLACE_DEBOUNCE_MS = 1000;

  /** Marketplace sync: period (ms) of the repeating reconcile of listings and stock. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_RECONCILE_MS must be an integer' })
  @Min(200, { message: 'MARKETPLACE_RECONCILE_MS must be at least 200' })
  MARKETPLACE_RECONCILE_MS = 15000;

  /** Marketplace sync: period (ms) of the repeating order poll (the webhook makes it fast, the poll certain). */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_ORDER_POLL_MS must be an integer' })
  @Min(200, { message: 'MARKETPLACE_ORDER_POLL_MS must be at least 200' })
  MARKETPLACE_ORDER_POLL_MS = 30000;

  /** Marketplace sync: first retry delay (ms) of a failed call; exponential with jitter from there. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_BACKOFF_MS must be an integer' })
  @Min(10, { message: 'MARKETPLACE_BACKOFF_MS must be at least 10' })
  MARKETPLACE_BACKOFF_MS = 1000;

  /** Marketplace sync: attempts before a job goes to the failed list a manager can retry from. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_ATTEMPTS must be an integer' })
  @Min(1, { message: 'MARKETPLACE_ATTEMPTS must be at least 1' })
  MARKETPLACE_ATTEMPTS = 8;

  /** Marketplace sync: longest in-process wait (ms) for a rate-limit token before the job is handed back delayed. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_MAX_THROTTLE_WAIT_MS must be an integer' })
  @Min(0, { message: 'MARKETPLACE_MAX_THROTTLE_WAIT_MS must be at least 0' })
  MARKETPLACE_MAX_THROTTLE_WAIT_MS = 3000;

  /** Marketplace sync: a call without an answer after this long (ms) is abandoned and retried with the same idempotency key. */
  @Transform(toInt)
  @IsInt({ message: 'MARKETPLACE_HTTP_TIMEOUT_MS must be an integer' })
  @Min(100, { message: 'MARKETPLACE_HTTP_TIMEOUT_MS must be at least 100' })
  MARKETPLACE_HTTP_TIMEOUT_MS = 15000;

  /** Key material for the marketplace credentials stored encrypted (AES-256-GCM via HKDF); default derived from JWT_SECRET. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'CHANNEL_CREDENTIALS_KEY must be at least 16 characters' })
  CHANNEL_CREDENTIALS_KEY?: string = undefined;

  /** In production a channel's base URL must be public https unless its host[:port] is listed here (comma-separated). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]+(:\d+)?(,[A-Za-z0-9.-]+(:\d+)?)*$/, { message: 'CHANNEL_ALLOWED_HOSTS must be comma-separated host[:port] names, e.g. postmart.staging:8443' })
  CHANNEL_ALLOWED_HOSTS?: string = undefined;

  @IsString()
  @MinLength(8, { message: 'DEMO_PASSWORD must be at least 8 characters' })
  DEMO_PASSWORD = 'demo1234';

  get corsOrigins(): string[] {
    return [this.publicBaseUrl, ...(this.CORS_ORIGINS ? this.CORS_ORIGINS.split(',') : [])];
  }

  get publicBaseUrl(): string {
    return this.PUBLIC_BASE_URL ?? `http://localhost:${this.WEB_PORT}`;
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration / Cấu hình không hợp lệ:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates raw environment variables (plus overrides) into an AppConfig, or throws one error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof AppConfig, unknown>> = {}): AppConfig {
  const known = Object.keys(new AppConfig()).concat('PUBLIC_BASE_URL', 'CORS_ORIGINS');
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = key in overrides ? (overrides as Record<string, unknown>)[key] : env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    // One problem per variable: the first rule declared on it (class-validator lists constraints last-declared first).
    const problems = errors.map((e) => {
      const m = Object.values(e.constraints ?? {}).at(-1) ?? 'is invalid';
      return m.startsWith(e.property) ? m : `${e.property}: ${m}`;
    });
    throw new ConfigValidationError(problems);
  }
  return config;
}
