import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { CronTime } from 'cron';
import { parseDurationList, parseDurationMs } from './duration';

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

  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number with s, m, h or d (e.g. 1h)' })
  JWT_EXPIRES_IN: string = '1h';

  @IsString()
  RESTOCK_CRON: string = '0 * * * * *';

  @IsIn(['true', 'false'])
  RESTOCK_ENABLED: string = 'true';

  @IsString()
  IDEMPOTENCY_PURGE_CRON: string = '0 0 * * * *';

  @IsIn(['true', 'false'])
  IDEMPOTENCY_PURGE_ENABLED: string = 'true';

  @IsIn(['true', 'false'])
  EVENTS_RELAY_ENABLED: string = 'true';

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

  @Matches(/^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a number of proxy hops, or comma-separated proxy addresses/CIDRs',
  })
  TRUST_PROXY: string = 'false';
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
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
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
    problems.push(`WEBHOOK_DISABLE_AFTER must be a duration from 1ms to 365d, a number with ms, s, m, h or d (e.g. 5d): "${env.WEBHOOK_DISABLE_AFTER}"`);
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
