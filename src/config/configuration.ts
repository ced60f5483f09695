import { Logger } from '@nestjs/common';
import { ConfigType, registerAs } from '@nestjs/config';
import { parseDurationList, parseDurationMs } from './duration';
import { durationSeconds, validateEnvironment } from './env.validation';

const DEV_API_KEY = 'dev-api-key';
const DEV_JWT_SECRET = 'dev-jwt-secret-change-me';
/** In production: at least 32 characters, the 256 bits RFC 7518 asks of an HS256 key when the characters are random. */
const MIN_SECRET_LENGTH = 32;

/** Reads and validates the environment once per namespace; every value below is already checked. */
const env = () => validateEnvironment(process.env);

export const appConfig = registerAs('app', () => {
  const {
    NODE_ENV,
    PORT,
    RATE_LIMIT_PER_MINUTE,
    CORS_ORIGINS,
    TRUST_PROXY,
    LOG_FORMAT,
    LOG_LEVEL,
    FAULT_EXIT_AFTER_ORDER_COMMIT,
    SHUTDOWN_GRACE_MS,
  } = env();
  return {
    nodeEnv: NODE_ENV,
    logFormat: LOG_FORMAT,
    shutdownGraceMs: SHUTDOWN_GRACE_MS,
    logLevel: LOG_LEVEL,
    port: PORT,
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    corsOrigins: splitList(CORS_ORIGINS),
    trustProxy: parseTrustProxy(TRUST_PROXY),
    faultExitAfterOrderCommit: faultHook(NODE_ENV, 'FAULT_EXIT_AFTER_ORDER_COMMIT', FAULT_EXIT_AFTER_ORDER_COMMIT),
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
    writeOutbox: !benchmarkWithoutOutbox(e.NODE_ENV, e.BENCHMARK_WITHOUT_OUTBOX),
    relayIntervalMs: e.EVENTS_RELAY_INTERVAL_MS,
    relayLeaseMs: e.EVENTS_RELAY_LEASE_MS,
    retentionDays: e.EVENTS_RETENTION_DAYS,
  };
});

/** Replenishment: how many calendar days of the ledger the demand policy learns from. */
export const inventoryConfig = registerAs('inventory', () => ({ demandWindowDays: env().DEMAND_WINDOW_DAYS }));

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

/** The optional message broker: without a URL nothing is published to RabbitMQ. */
export const brokerConfig = registerAs('broker', () => {
  const e = env();
  return { url: e.AMQP_URL ?? null, exchange: e.AMQP_EXCHANGE, confirmTimeoutMs: e.AMQP_CONFIRM_TIMEOUT_MS };
});

/** The optional Redis that rate and login limits are counted in across instances: without a URL, per instance. */
export const redisConfig = registerAs('redis', () => {
  const e = env();
  return { url: e.REDIS_URL ?? null, keyPrefix: e.REDIS_KEY_PREFIX };
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
  const { NODE_ENV, API_KEYS, API_KEY_CACHE_TTL_MS, JWT_SECRET, JWT_EXPIRES_IN, METRICS_TOKEN } = env();
  const production = NODE_ENV === 'production';
  const apiKeys = splitList(API_KEYS);
  if (production && !apiKeys.length) throw new Error('Invalid configuration: API_KEYS must be set in production');
  if (production && !JWT_SECRET) throw new Error('Invalid configuration: JWT_SECRET must be set in production');
  if (production) assertStrongSecrets(apiKeys, JWT_SECRET!, METRICS_TOKEN);
  const logger = new Logger('Config');
  if (!apiKeys.length) logger.warn(`API_KEYS is not set: accepting the development key "${DEV_API_KEY}"`);
  if (!JWT_SECRET) logger.warn('JWT_SECRET is not set: signing customer tokens with a development secret');
  return {
    apiKeys: apiKeys.length ? apiKeys : [DEV_API_KEY],
    /** How long an instance may answer from a stored key it looked up, rather than ask the database again. */
    apiKeyCacheTtlMs: API_KEY_CACHE_TTL_MS,
    jwtSecret: JWT_SECRET ?? DEV_JWT_SECRET,
    jwtExpiresInSeconds: durationSeconds(JWT_EXPIRES_IN),
    /** The Bearer token a Prometheus server may scrape GET /metrics with; null: only API keys may. */
    metricsToken: METRICS_TOKEN ?? null,
  };
});

export type AppConfig = ConfigType<typeof appConfig>;
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
export type SchedulingConfig = ConfigType<typeof schedulingConfig>;
export type EventsConfig = ConfigType<typeof eventsConfig>;
export type WebhooksConfig = ConfigType<typeof webhooksConfig>;
export type BrokerConfig = ConfigType<typeof brokerConfig>;
export type RedisConfig = ConfigType<typeof redisConfig>;
export type JobSchedule = SchedulingConfig[keyof SchedulingConfig];
export type AuthConfig = ConfigType<typeof authConfig>;
export type InventoryConfig = ConfigType<typeof inventoryConfig>;

function benchmarkWithoutOutbox(nodeEnv: string, value: string): boolean {
  if (value === 'true' && nodeEnv === 'production')
    throw new Error('Invalid configuration: BENCHMARK_WITHOUT_OUTBOX is for benchmarks and is refused in production');
  return value === 'true';
}

/** A test-only fault hook (test/fault/): never honoured in production, where setting one stops the server. */
function faultHook(nodeEnv: string, name: string, value: string | undefined): boolean {
  if (value === '1' && nodeEnv === 'production')
    throw new Error(`Invalid configuration: ${name} is a test-only fault hook and is refused in production`);
  return value === '1';
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The published development values, or anything short enough to guess, never protect a production server. */
function assertStrongSecrets(apiKeys: string[], jwtSecret: string, metricsToken: string | undefined): void {
  const refuse = (reason: string) => {
    throw new Error(`Invalid configuration: ${reason}`);
  };
  // the messages name the variable and the position, never the key itself: this line goes to the logs
  if (apiKeys.includes(DEV_API_KEY)) refuse(`API_KEYS must not contain the development key "${DEV_API_KEY}" in production`);
  if (jwtSecret === DEV_JWT_SECRET) refuse('JWT_SECRET must not be the development secret in production');
  const short = apiKeys.findIndex((key) => key.length < MIN_SECRET_LENGTH);
  if (short >= 0)
    refuse(`API_KEYS: every key must be at least ${MIN_SECRET_LENGTH} characters in production (key ${short + 1} is shorter)`);
  if (jwtSecret.length < MIN_SECRET_LENGTH) refuse(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters in production`);
  if (metricsToken !== undefined && metricsToken.length < MIN_SECRET_LENGTH)
    refuse(`METRICS_TOKEN must be at least ${MIN_SECRET_LENGTH} characters in production`);
}

/** Fastify's trustProxy: false, how many hops of, or which proxies' X-Forwarded-For to believe (never all). */
function parseTrustProxy(value: string): false | string | ((address: string, hop: number) => boolean) {
  if (value === 'false') return false;
  if (!/^\d+$/.test(value)) return value;
  const hops = Number(value);
  return (_address, hop) => hop < hops;
}
