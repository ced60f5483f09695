import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateBy, validateSync } from 'class-validator';
import { CronTime } from 'cron';
import { isIP } from 'node:net';
import { parseDurationList, parseDurationMs } from './duration';

/** Customer token lifetimes: shorter and every token dies before it is used, longer and a stolen one lives on. */
export const JWT_LIFETIME_SECONDS = { min: 60, max: 86_400 } as const;
/** More hops than this and the address a client wrote at the left of X-Forwarded-For gets believed. */
export const MAX_TRUSTED_PROXY_HOPS = 10;

/** The most delays WEBHOOK_RETRY_SCHEDULE may list, and the longest one. */
const MAX_RETRIES = 20;
const MAX_DELAY_MS = 30 * 86_400_000;

/**
 * The process environment as the contract's Configuration table defines it, with its defaults.
 * Validation stops at a variable's first failure, which is its bottom-most decorator: type checks go last.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(600_000)
  @IsInt()
  SHUTDOWN_GRACE_MS: number = 10000;

  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(65535)
  @IsInt()
  PORT: number = 3000;

  @IsIn(['sqlite', 'mysql'])
  DB_TYPE: 'sqlite' | 'mysql' = 'sqlite';

  @IsString()
  DB_PATH: string = 'data/ecommerce.sqlite';

  @IsString()
  DB_HOST: string = '127.0.0.1';

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(65535)
  @IsInt()
  DB_PORT: number = 3306;

  @IsString()
  DB_USERNAME: string = 'root';

  @IsString()
  DB_PASSWORD: string = '';

  @Matches(/^[A-Za-z0-9_$]{1,64}$/, { message: 'DB_DATABASE must be a plain MySQL identifier' })
  DB_DATABASE: string = 'ecommerce';

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(1000)
  @IsInt()
  DB_POOL_SIZE: number = 10;

  @IsOptional()
  @IsString()
  API_KEYS?: string;

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  /** At most 1 s: a revoked key must be refused by every instance within a second or two. */
  @Transform(({ value }) => toInteger(value))
  @Min(0)
  @Max(1000)
  @IsInt()
  API_KEY_CACHE_TTL_MS: number = 1000;

  @ValidateBy({
    name: 'jwtLifetime',
    validator: {
      validate: (value: string) => durationSeconds(value) >= JWT_LIFETIME_SECONDS.min && durationSeconds(value) <= JWT_LIFETIME_SECONDS.max,
      defaultMessage: () => 'JWT_EXPIRES_IN must be between 60 s and 24 h (e.g. 15m or 1h)',
    },
  })
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number with s, m, h or d (e.g. 1h)' })
  JWT_EXPIRES_IN: string = '1h';

  // what RFC 6750 allows in a Bearer token, so that every HTTP client (and Prometheus) can send it as it is
  @IsOptional()
  @Matches(/^[A-Za-z0-9\-._~+/]+=*$/, { message: 'METRICS_TOKEN must be letters, digits and - . _ ~ + / (e.g. openssl rand -hex 32)' })
  @IsString()
  METRICS_TOKEN?: string;

  @IsString()
  RESTOCK_CRON: string = '0 * * * * *';

  @IsIn(['true', 'false'])
  RESTOCK_ENABLED: string = 'true';

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(365)
  @IsInt()
  DEMAND_WINDOW_DAYS: number = 28;

  @IsString()
  IDEMPOTENCY_PURGE_CRON: string = '0 0 * * * *';

  @IsIn(['true', 'false'])
  IDEMPOTENCY_PURGE_ENABLED: string = 'true';

  @IsIn(['true', 'false'])
  EVENTS_RELAY_ENABLED: string = 'true';

  /** Benchmarks only (refused in production): measure what writing the outbox costs. */
  @IsIn(['true', 'false'])
  BENCHMARK_WITHOUT_OUTBOX: string = 'false';

  @Transform(({ value }) => toInteger(value))
  @Min(50)
  @Max(60_000)
  @IsInt()
  EVENTS_RELAY_INTERVAL_MS: number = 250;

  @Transform(({ value }) => toInteger(value))
  @Min(1000)
  @Max(600_000)
  @IsInt()
  EVENTS_RELAY_LEASE_MS: number = 10_000;

  @Transform(({ value }) => toInteger(value))
  @Min(30)
  @Max(3650)
  @IsInt()
  EVENTS_RETENTION_DAYS: number = 30;

  @IsString()
  EVENTS_PURGE_CRON: string = '0 15 * * * *';

  @IsIn(['true', 'false'])
  EVENTS_PURGE_ENABLED: string = 'true';

  @IsOptional()
  @IsUrl(
    { protocols: ['amqp', 'amqps'], require_protocol: true, require_tld: false },
    { message: 'AMQP_URL must be an amqp:// or amqps:// URL' },
  )
  AMQP_URL?: string;

  // AMQP's rule for names, minus the reserved amq. prefix
  @Matches(/^(?!amq\.)[A-Za-z0-9_.:-]{1,255}$/, {
    message: "AMQP_EXCHANGE must be 1 to 255 letters, digits, '-', '_', '.' or ':', not starting with amq.",
  })
  AMQP_EXCHANGE: string = 'ecommerce.events';

  @Transform(({ value }) => toInteger(value))
  @Min(100)
  @Max(600_000)
  @IsInt()
  AMQP_CONFIRM_TIMEOUT_MS: number = 10_000;

  @IsOptional()
  @IsUrl(
    { protocols: ['redis', 'rediss'], require_protocol: true, require_tld: false },
    { message: 'REDIS_URL must be a redis:// or rediss:// URL' },
  )
  REDIS_URL?: string;

  // prepended to every key this service writes, so that several deployments (or test runs) can share one Redis
  @Matches(/^[A-Za-z0-9_.:{}-]{1,64}$/, { message: "REDIS_KEY_PREFIX must be 1 to 64 letters, digits, '_', '.', ':', '-', '{' or '}'" })
  REDIS_KEY_PREFIX: string = 'ecommerce:';

  @Transform(({ value }) => toInteger(value))
  @Min(100)
  @Max(120_000)
  @IsInt()
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  @IsString()
  WEBHOOK_RETRY_SCHEDULE: string = '5s,5m,30m,2h,5h,10h,10h';

  @IsString()
  WEBHOOK_DISABLE_AFTER: string = '5d';

  @IsOptional()
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_LOOPBACK?: string;

  @Transform(({ value }) => toInteger(value))
  @Min(10)
  @Max(60_000)
  @IsInt()
  WEBHOOK_DISPATCH_INTERVAL_MS: number = 250;

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @IsInt()
  RATE_LIMIT_PER_MINUTE: number = 600;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (value: string) => trustProxyProblem(value) === undefined,
      defaultMessage: (args) => trustProxyProblem(args?.value as string) ?? '',
    },
  })
  @IsString()
  TRUST_PROXY: string = 'false';

  /**
   * Test-only fault hook, refused when NODE_ENV is production: `1` kills the process the instant an order's
   * transaction has committed, before it is answered (test/fault/idempotency-crash.fault-spec.ts).
   */
  @IsOptional()
  @IsIn(['0', '1'])
  FAULT_EXIT_AFTER_ORDER_COMMIT?: string;
}

/** `90`, `90s`, `15m`, `1h`, `1d` in seconds (the shape is checked first). */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  const match = /^(\d+)([smhd]?)$/.exec(duration);
  return match ? Number(match[1]) * (units[match[2]] ?? 1) : NaN;
}

/**
 * Why a TRUST_PROXY value is refused, if it is. Only the proxies may be believed: `true` (or a /0 range)
 * believes every X-Forwarded-For entry, so a client could pick its address and dodge rate and login limits.
 */
function trustProxyProblem(value: string): string | undefined {
  if (value === 'true') {
    return (
      'TRUST_PROXY=true is refused: any client could choose its address with X-Forwarded-For; ' +
      "set the number of proxy hops (e.g. 1) or the proxies' addresses/CIDRs"
    );
  }
  if (value === 'false') return undefined;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= MAX_TRUSTED_PROXY_HOPS
      ? undefined
      : `TRUST_PROXY must be a number of proxy hops from 1 to ${MAX_TRUSTED_PROXY_HOPS}`;
  }
  const invalid = value
    .split(',')
    .map((entry) => entry.trim())
    .find((entry) => !isProxyAddress(entry));
  return invalid === undefined
    ? undefined
    : `TRUST_PROXY must be false, a number of proxy hops, or comma-separated proxy addresses/CIDRs (not "${invalid}"; /0 trusts everyone)`;
}

/** An IP address or a CIDR range narrower than everything (`/0` would trust any client). */
function isProxyAddress(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (version === 4 ? 32 : 128);
}

function toInteger(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

/**
 * Validates the environment at boot. A bad value stops the server with one line naming the variable,
 * e.g. "Invalid configuration: PORT must be an integer number".
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((error) => Object.values(error.constraints ?? {}));
  for (const name of ['RESTOCK_CRON', 'IDEMPOTENCY_PURGE_CRON', 'EVENTS_PURGE_CRON'] as const) {
    if (!problems.length && !isValidCron(env[name])) problems.push(`${name} is not a valid cron expression: "${env[name]}"`);
  }
  if (!problems.length) problems.push(...webhookDurationProblems(env));
  if (problems.length) {
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return env;
}

function webhookDurationProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  const schedule = parseDurationList(env.WEBHOOK_RETRY_SCHEDULE);
  if (!schedule || schedule.length > MAX_RETRIES || schedule.some((ms) => ms < 1 || ms > MAX_DELAY_MS)) {
    problems.push(
      `WEBHOOK_RETRY_SCHEDULE must list 1 to ${MAX_RETRIES} comma-separated delays of at most 30d, each a number with ms, s, m, h or d (e.g. 5s,5m,2h): "${env.WEBHOOK_RETRY_SCHEDULE}"`,
    );
  }
  const disableAfter = parseDurationMs(env.WEBHOOK_DISABLE_AFTER);
  if (!disableAfter || disableAfter > 365 * 86_400_000) {
    problems.push(
      `WEBHOOK_DISABLE_AFTER must be a duration from 1ms to 365d, a number with ms, s, m, h or d (e.g. 5d): "${env.WEBHOOK_DISABLE_AFTER}"`,
    );
  }
  return problems;
}

function isValidCron(expression: string): boolean {
  try {
    new CronTime(expression);
    return true;
  } catch {
    return false;
  }
}
