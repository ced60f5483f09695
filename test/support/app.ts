import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';

export const engine = (process.env.DB_TYPE ?? 'sqlite') as 'sqlite' | 'mysql';
export const onMysql = engine === 'mysql';

const mysqlServer = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USERNAME ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
};

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  database: string;
  close(): Promise<void>;
}

export interface StartOptions {
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
    ...options.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const app = await createApp({ logger: ['error'] });
    // a real listening port: hundreds of parallel requests then share one server, as in production
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      app,
      http: request(await app.getUrl()),
      database,
      close: async () => {
        await app.close();
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

export async function recreateDatabase(name: string): Promise<void> {
  const connection = await createConnection(mysqlServer);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const connection = await createConnection(mysqlServer);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}
