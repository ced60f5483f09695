import { Logger } from '@nestjs/common';
import { ConfigType, registerAs } from '@nestjs/config';
import { validateEnvironment } from './env.validation';

const DEV_API_KEY = 'dev-api-key';
const DEV_JWT_SECRET = 'dev-jwt-secret-change-me';

/** Reads and validates the environment once per namespace; every value below is already checked. */
const env = () => validateEnvironment(process.env);

export const appConfig = registerAs('app', () => {
  const { NODE_ENV, PORT, RATE_LIMIT_PER_MINUTE, CORS_ORIGINS, TRUST_PROXY } = env();
  return {
    nodeEnv: NODE_ENV,
    port: PORT,
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    corsOrigins: splitList(CORS_ORIGINS),
    trustProxy: parseTrustProxy(TRUST_PROXY),
  };
});

/** Each scheduled job's cron expression (six fields, seconds first) and whether it runs at all. */
export const schedulingConfig = registerAs('scheduling', () => {
  const e = env();
  return {
    restock: { cron: e.RESTOCK_CRON, enabled: e.RESTOCK_ENABLED === 'true' },
    idempotencyPurge: { cron: e.IDEMPOTENCY_PURGE_CRON, enabled: e.IDEMPOTENCY_PURGE_ENABLED === 'true' },
  };
});

/** Replenishment: how many calendar days of the ledger the demand policy learns from. */
export const inventoryConfig = registerAs('inventory', () => ({ demandWindowDays: env().DEMAND_WINDOW_DAYS }));

export const databaseConfig = registerAs('database', () => {
  const e = env();
  return {
    type: e.DB_TYPE,
    path: e.DB_PATH,
    host: e.DB_HOST,
    port: e.DB_PORT,
    username: e.DB_USERNAME,
    password: e.DB_PASSWORD,
    database: e.DB_DATABASE,
    poolSize: e.DB_POOL_SIZE,
  };
});

export const authConfig = registerAs('auth', () => {
  const { NODE_ENV, API_KEYS, JWT_SECRET, JWT_EXPIRES_IN } = env();
  const production = NODE_ENV === 'production';
  const apiKeys = splitList(API_KEYS);
  if (production && !apiKeys.length) throw new Error('Invalid configuration: API_KEYS must be set in production');
  if (production && !JWT_SECRET) throw new Error('Invalid configuration: JWT_SECRET must be set in production');
  const logger = new Logger('Config');
  if (!apiKeys.length) logger.warn(`API_KEYS is not set: accepting the development key "${DEV_API_KEY}"`);
  if (!JWT_SECRET) logger.warn('JWT_SECRET is not set: signing customer tokens with a development secret');
  return {
    apiKeys: apiKeys.length ? apiKeys : [DEV_API_KEY],
    jwtSecret: JWT_SECRET ?? DEV_JWT_SECRET,
    jwtExpiresInSeconds: toSeconds(JWT_EXPIRES_IN),
  };
});

export type AppConfig = ConfigType<typeof appConfig>;
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
export type SchedulingConfig = ConfigType<typeof schedulingConfig>;
export type JobSchedule = SchedulingConfig[keyof SchedulingConfig];
export type AuthConfig = ConfigType<typeof authConfig>;
export type InventoryConfig = ConfigType<typeof inventoryConfig>;

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Fastify's trustProxy: whether, how many hops of, or which proxies' X-Forwarded-For to believe. */
function parseTrustProxy(value: string): boolean | string | ((address: string, hop: number) => boolean) {
  if (value === 'true' || value === 'false') return value === 'true';
  if (!/^\d+$/.test(value)) return value;
  const hops = Number(value);
  return (_address, hop) => hop < hops;
}

function toSeconds(duration: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  const match = /^(\d+)([smhd]?)$/.exec(duration)!;
  return Number(match[1]) * (units[match[2]] ?? 1);
}
