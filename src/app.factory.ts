import helmet from '@fastify/helmet';
import { Logger, LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { appConfig } from './config/configuration';
import { setupSwagger } from './swagger';

export const BODY_LIMIT_BYTES = 1_048_576;

export interface RegisteredRoute {
  method: string;
  /** Fastify syntax: `/customers/:id` */
  url: string;
}

const registries = new WeakMap<object, RegisteredRoute[]>();

/** Every route the app's router serves (HEAD and Swagger's assets excluded), as Fastify registered them. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return registries.get(app) ?? [];
}

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  /** Runs before the app initializes, while Fastify still accepts hooks (the e2e tests watch responses). */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/**
 * Builds the application exactly as it serves: Fastify with a 1 MB body limit, Swagger, shutdown hooks.
 * main.ts and the e2e tests both start here.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // behind a load balancer the client address (rate limits, login attempts) is in X-Forwarded-For
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: appConfig().trustProxy });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  const routes: RegisteredRoute[] = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) if (m !== 'HEAD' && !url.startsWith('/docs')) routes.push({ method: m, url });
  });
  registries.set(app, routes);
  await app.register(helmet, {
    // Swagger UI's own page needs inline styles and data: images; nothing else is served as HTML.
    // No upgrade-insecure-requests: the server speaks plain HTTP, and Swagger UI opened by address would break.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"], upgradeInsecureRequests: null } },
  });
  const corsOrigins = app.get(ConfigService).getOrThrow<string[]>('app.corsOrigins');
  // browsers elsewhere get no CORS headers unless their origin is listed; never `*`, never credentials
  if (corsOrigins.length) app.enableCors({ origin: corsOrigins, credentials: false });
  // JSON only: any other body type is 415 rather than a string the validators then puzzle over
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  app.enableShutdownHooks();
  setupSwagger(app);
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const bootLogger = new Logger('Bootstrap');
