import { Logger } from '@nestjs/common';
import { ConfigType, registerAs } from '@nestjs/config';
import { parseDurationList, parseDurationMs } from './duration';
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
    eventsPurge: { cron: e.EVENTS_PURGE_CRON, enabled: e.EVENTS_PURGE_ENABLED === 'true' },
  };
});

/** The outbox relay: how often it looks for committed events, how long its lease lasts, how long events are kept. */
export const eventsConfig = registerAs('events', () => {
  const e = env();
  return {
    relayEnabled: e.EVENTS_RELAY_ENABLED === 'true',
    relayIntervalMs: e.EVENTS_RELAY_INTERVAL_MS,
    relayLeaseMs: e.EVENTS_RELAY_LEASE_MS,
    retentionDays: e.EVENTS_RETENTION_DAYS,
  };
});

/**
 * Webhook delivery: the timeout of one attempt, the delays between attempts, how long an endpoint may fail
 * before it is disabled, whether loopback and link-local receivers are allowed (outside production by default),
 * and how often the dispatcher looks for due deliveries.
 */
export const webhooksConfig = registerAs('webhooks', () => {
  const e = env();
  return {
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    retryScheduleMs: parseDurationList(e.WEBHOOK_RETRY_SCHEDULE)!,
    disableAfterMs: parseDurationMs(e.WEBHOOK_DISABLE_AFTER)!,
    allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK === undefined ? e.NODE_ENV !== 'production' : e.WEBHOOK_ALLOW_LOOPBACK === 'true',
    dispatchIntervalMs: e.WEBHOOK_DISPATCH_INTERVAL_MS,
  };
});

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
export type EventsConfig = ConfigType<typeof eventsConfig>;
export type WebhooksConfig = ConfigType<typeof webhooksConfig>;
export type JobSchedule = SchedulingConfig[keyof SchedulingConfig];
export type AuthConfig = ConfigType<typeof authConfig>;

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
