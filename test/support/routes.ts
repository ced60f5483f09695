import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface RegisteredRoute {
  method: string;
  /** Fastify syntax: `/customers/:id` */
  url: string;
}

const registries = new WeakMap<object, RegisteredRoute[]>();

/** Records every route the router registers (HEAD and Swagger's assets excluded); call before init. */
export function recordRoutes(app: NestFastifyApplication): void {
  const routes: RegisteredRoute[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', ({ method, url }) => {
      for (const m of [method].flat()) if (m !== 'HEAD' && !url.startsWith('/docs')) routes.push({ method: m, url });
    });
  registries.set(app, routes);
}

/** Every route the app's router serves, as Fastify registered them. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return registries.get(app) ?? [];
}
