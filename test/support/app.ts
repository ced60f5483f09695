import type { LogLevel } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/platform/app.factory';
import { recordRoutes } from './routes';

export const engine = (process.env.DB_TYPE ?? 'sqlite') as 'sqlite' | 'mysql';
export const onMysql = engine === 'mysql';

/** Read when used: a suite may point DB_PORT at a server it started itself (the Galera suite does). */
const mysqlServer = () => ({
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USERNAME ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
});

export const TEST_API_KEY = 'test-service-key';
/** What the audit trail names for a caller with TEST_API_KEY (`t.http`): a key from API_KEYS has no id. */
export const ENV_KEY_ACTOR = { type: 'api_key', id: null, name: 'API_KEYS' } as const;

export interface TestApp {
  app: NestFastifyApplication;
  /** Sends the service API key with every request. */
  http: TestAgent;
  /** Sends no credentials. */
  anon: TestAgent;
  /** Sends a customer's Bearer token. */
  as(token: string): TestAgent;
  /** Sends another API key (one issued by POST /api-keys). */
  withKey(key: string): TestAgent;
  url: string;
  database: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Log level (default: errors only) and where the lines go (default: stdout). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  logDestination?: import('pino').DestinationStream;
  /** MySQL database name; a fresh one per suite unless `reuse` says another app already made it. */
  database?: string;
  reuse?: boolean;
  env?: Record<string, string>;
}

let counter = 0;

/**
 * Starts the real application (same factory as main.ts: Fastify, global pipes, filter, Swagger) on a
 * database of its own: an in-memory SQLite database, or a freshly created MariaDB database.
 */
export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const database = options.database ?? `ecommerce_test_${process.pid}_${++counter}`;
  if (onMysql && !options.reuse) await recreateDatabase(database);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DB_TYPE: engine,
    DB_PATH: ':memory:',
    DB_DATABASE: database,
    RESTOCK_ENABLED: 'false',
    // the outbox relay runs where a suite asks for it (EVENTS_RELAY_ENABLED: 'true'), or is driven with runOnce()
    EVENTS_RELAY_ENABLED: 'false',
    API_KEYS: TEST_API_KEY,
    JWT_SECRET: 'test-jwt-secret',
    // limits per app unless a suite shares them on purpose, whatever REDIS_URL the shell holds
    REDIS_URL: '',
    ...options.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const leaks: string[] = [];
    const app = await createApp({
      logger: levels(options.logLevel ?? 'error'),
      logDestination: options.logDestination,
      beforeInit: (nest) => {
        recordRoutes(nest);
        watchForSecrets(nest, leaks);
      },
    });
    // a real listening port: hundreds of parallel requests then share one server, as in production
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = await app.getUrl();
    return {
      app,
      url,
      http: request.agent(url).set('X-API-Key', TEST_API_KEY),
      anon: request(url),
      as: (token: string) => request.agent(url).set('Authorization', `Bearer ${token}`),
      withKey: (key: string) => request.agent(url).set('X-API-Key', key),
      database,
      close: async () => {
        await app.close();
        if (leaks.length) throw new Error(`Responses carried secret material:\n${leaks.join('\n')}`);
        if (onMysql && !options.reuse) await dropDatabase(database);
      },
    };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const levels = (least: 'error' | 'warn' | 'info' | 'debug'): LogLevel[] =>
  (['error', 'warn', 'log', 'debug'] as LogLevel[]).slice(0, ['error', 'warn', 'info', 'debug'].indexOf(least) + 1);

const SECRET_PATTERN = /password|hash|argon|scrypt/i;
/** An API key as POST /api-keys issues it (src/api-keys/api-key-secret.ts). */
const API_KEY_PATTERN = /eak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/;

/**
 * What is wrong with an answer, or undefined: no successful answer may carry a password, a hash or a word that
 * hints at one (error bodies may name the `password` field; Swagger documents it), and no answer but the one
 * that issues it may carry an API key. Secrets shown on purpose are taken out first: a webhook signing secret
 * (`whsec_` + base64), and the key in POST /api-keys' 201, whose random text may spell "hash".
 */
export function secretIn(method: string, url: string, status: number, payload: string): string | undefined {
  let scanned = payload.replace(/whsec_[A-Za-z0-9+/=]+/g, 'whsec_');
  if (method === 'POST' && url.split('?')[0] === '/api-keys' && status === 201) {
    scanned = scanned.replace(new RegExp(API_KEY_PATTERN, 'g'), 'eak_');
  }
  if (API_KEY_PATTERN.test(scanned)) return 'an API key';
  if (status < 400 && SECRET_PATTERN.test(scanned)) return 'password material';
  return undefined;
}

/** Every response of every e2e suite is scanned with secretIn (Swagger's documents aside). */
function watchForSecrets(app: NestFastifyApplication, leaks: string[]): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      if (typeof payload !== 'string' || request.url.startsWith('/docs')) return payload;
      const found = secretIn(request.method, request.url, reply.statusCode, payload);
      if (found) leaks.push(`${request.method} ${request.url} carried ${found}: ${payload.slice(0, 200)}`);
      return payload;
    });
}

/** A connection of its own to a MariaDB test database, for what a suite does beside the app (e.g. hold a row lock). */
export function connectToMysql(database: string) {
  return createConnection({ ...mysqlServer(), database });
}

export async function recreateDatabase(name: string): Promise<void> {
  const connection = await createConnection(mysqlServer());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const connection = await createConnection(mysqlServer());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}
