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
