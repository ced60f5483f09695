import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Server } from 'node:http';

/** Set when a shutdown begins: GET /health then answers 503, so that load balancers stop sending traffic. */
@Injectable()
export class ShutdownState {
  draining = false;
}

/**
 * How long the server still reads new requests after the signal. A keep-alive connection that looks idle
 * may hold a request the client sent just before the signal and the server has not read yet; closing it
 * at once would reset that request.
 */
const LINGER_MS = 500;
/** How often connections that went idle since are closed while the last answers are written. */
const SWEEP_MS = 100;

const logger = new Logger('Shutdown');

/**
 * Graceful shutdown on SIGTERM and SIGINT (shared/API.md "Shutdown"), installed by main.ts before the app
 * initializes. On the first signal:
 * 1. GET /health answers 503 and every answer carries `Connection: close`, so a keep-alive client gets
 *    its current answer and then reconnects (elsewhere) instead of meeting a reset;
 * 2. the scheduled jobs stop; a pass already running finishes;
 * 3. after LINGER_MS the server stops accepting connections, closes the idle ones and waits until every
 *    request it has received is answered;
 * 4. Nest's shutdown hooks run, the database pool closing last, and the process exits 0.
 * Past SHUTDOWN_GRACE_MS it exits 1 whatever is still running. Further signals are ignored.
 */
export function enableGracefulShutdown(app: NestFastifyApplication): void {
  const state = app.get(ShutdownState);
  const graceMs = app.get(ConfigService).getOrThrow<number>('app.shutdownGraceMs');
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, reply, payload) => {
      if (state.draining) reply.header('Connection', 'close');
      return payload;
    });
  const onSignal = (signal: NodeJS.Signals) => {
    if (state.draining) return logger.warn(`${signal} received: already shutting down`);
    state.draining = true;
    shutDown(app, signal, graceMs).then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.stack}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function shutDown(app: NestFastifyApplication, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const started = Date.now();
  logger.log(`${signal} received: finishing the requests already received (at most ${graceMs} ms)`);
  setTimeout(() => {
    logger.error(`Requests still running after ${graceMs} ms (SHUTDOWN_GRACE_MS): exiting without them`);
    process.exit(1);
  }, graceMs);
  await Promise.all([stopScheduledJobs(app.get(SchedulerRegistry)), closeHttpServer(app.getHttpServer())]);
  // the HTTP server is closed already; this runs the shutdown hooks, which close the database pool
  await app.close();
  logger.log(`Stopped in ${Date.now() - started} ms`);
}

async function stopScheduledJobs(scheduler: SchedulerRegistry): Promise<void> {
  await Promise.all([...scheduler.getCronJobs().values()].map((job) => job.stop()));
}

/** Resolves once the server accepts no connection and every connection it had has ended. */
function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(() => {
      // close() also closes the connections that are idle now; the others end after their answer
      // (Connection: close), or go idle if their answer left before the signal: the sweep closes those
      const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
      server.close(() => {
        clearInterval(sweep);
        resolve();
      });
    }, LINGER_MS);
  });
}
