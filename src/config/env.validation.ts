import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { CronTime } from 'cron';

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

  @Transform(({ value }) => toInteger(value))
  @Min(1)
  @Max(365)
  @IsInt()
  DEMAND_WINDOW_DAYS: number = 28;

  @IsString()
  IDEMPOTENCY_PURGE_CRON: string = '0 0 * * * *';

  @IsIn(['true', 'false'])
  IDEMPOTENCY_PURGE_ENABLED: string = 'true';

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
  for (const name of ['RESTOCK_CRON', 'IDEMPOTENCY_PURGE_CRON'] as const) {
    if (!problems.length && !isValidCron(env[name])) problems.push(`${name} is not a valid cron expression: "${env[name]}"`);
  }
  if (problems.length) {
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return env;
}

function isValidCron(expression: string): boolean {
  try {
    new CronTime(expression);
    return true;
  } catch {
    return false;
  }
}
