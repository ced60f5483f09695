import { Logger, LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { appConfig } from '../config/configuration';
import { BODY_LIMIT_BYTES, hardenHttp } from './http-hardening';
import { setupSwagger } from './openapi/document';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  /** Runs before the app initializes, while Fastify still accepts hooks (the e2e tests watch routes and responses). */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/**
 * Builds the application exactly as it serves: Fastify with a 1 MB body limit, HTTP hardening, Swagger,
 * shutdown hooks. main.ts, the OpenAPI writer and the e2e tests all start here.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // behind a load balancer the client address (rate limits, login attempts) is in X-Forwarded-For
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: appConfig().trustProxy });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  await hardenHttp(app, app.get(ConfigService).getOrThrow<string[]>('app.corsOrigins'));
  app.enableShutdownHooks();
  setupSwagger(app);
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const bootLogger = new Logger('Bootstrap');
