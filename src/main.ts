import 'reflect-metadata';
import { loadEnvironmentOrExit } from './config/load-environment';

loadEnvironmentOrExit();

async function bootstrap(): Promise<void> {
  // loaded only once the environment is known to be valid
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only after the environment is validated */
  const { createApp, bootLogger } = require('./platform/app.factory') as typeof import('./platform/app.factory');
  const { ConfigService } = require('@nestjs/config') as typeof import('@nestjs/config');
  const { enableGracefulShutdown } = require('./platform/shutdown') as typeof import('./platform/shutdown');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = await createApp({ beforeInit: enableGracefulShutdown });
  const port = app.get(ConfigService).getOrThrow<number>('app.port');
  await app.listen({ port, host: '0.0.0.0' });
  bootLogger.log(`Listening on http://localhost:${port} (Swagger UI at http://localhost:${port}/docs)`);
}

bootstrap().catch((error: Error) => {
  console.error(error.message.startsWith('Invalid configuration') ? error.message : error.stack);
  process.exit(1);
});
