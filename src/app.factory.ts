import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { setupSwagger } from './swagger';

export const BODY_LIMIT_BYTES = 1_048_576;

/**
 * Builds the application exactly as it serves: Fastify with a 1 MB body limit, Swagger, shutdown hooks.
 * main.ts and the e2e tests both start here.
 */
export async function createApp(options: { logger?: LogLevel[] | false } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: false });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  // JSON only: any other body type is 415 rather than a string the validators then puzzle over
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  app.enableShutdownHooks();
  setupSwagger(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const bootLogger = new Logger('Bootstrap');
