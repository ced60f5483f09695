import { Logger, LogLevel } from '@nestjs/common';
import type { DestinationStream, Level } from 'pino';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { appConfig } from '../config/configuration';
import { rerouteFrameworkError } from './framework-errors';
import { BODY_LIMIT_BYTES, hardenHttp } from './http-hardening';
import { createLoggers } from './logging/logger';
import { NestPinoLogger } from './logging/nest-pino-logger';
import { requestIdFrom } from './request-context';
import { logRequests } from './logging/request-logging';
import { recordRequestDurations } from './metrics/http-metrics';
import { setupSwagger } from './openapi/document';

export interface CreateAppOptions {
  /** Overrides LOG_LEVEL: the least severe of these Nest levels, or false for silence. */
  logger?: LogLevel[] | false;
  /** Where log lines go instead of stdout (the tests read them). */
  logDestination?: DestinationStream;
  /** Runs before the app initializes, while Fastify still accepts hooks (the e2e tests watch routes and responses). */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/**
 * Builds the application exactly as it serves: Fastify with a 1 MB body limit, HTTP hardening, Swagger.
 * main.ts, the OpenAPI writer and the e2e tests all start here; main.ts adds the signal handling
 * (src/platform/shutdown.ts).
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // behind a load balancer the client address (rate limits, login attempts) is in X-Forwarded-For
  const config = appConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    // X-Request-Id when sane, else a new one; the request log is ours (logRequests), not Fastify's
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(request.headers['x-request-id']),
    requestIdHeader: false,
    frameworkErrors: rerouteFrameworkError,
  });
  const { logger, requestLogger } = createLoggers({
    level: levelOf(options.logger) ?? config.logLevel,
    format: config.logFormat,
    destination: options.logDestination,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  logRequests(app, requestLogger);
  recordRequestDurations(app);
  await hardenHttp(app, app.get(ConfigService).getOrThrow<string[]>('app.corsOrigins'));
  setupSwagger(app);
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const bootLogger = new Logger('Bootstrap');

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

function levelOf(levels: LogLevel[] | false | undefined): Level | 'silent' | undefined {
  if (levels === undefined) return undefined;
  if (levels === false || !levels.length) return 'silent';
  const order: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return levels.map((level) => NEST_TO_PINO[level]).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
}
