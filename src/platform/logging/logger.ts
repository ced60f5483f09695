import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { currentRequestId } from '../request-context';

export interface LoggerOptions {
  level: Level | 'silent';
  format: 'json' | 'pretty';
  /** Where the lines go; stdout by default (tests pass a stream to read them). */
  destination?: DestinationStream;
}

/**
 * Paths that must never reach a log line, should any code log a request, a body or an error carrying them:
 * credentials and secrets of every kind.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.current_password',
  '*.password_hash',
  '*.passwordHash',
  '*.access_token',
  '*.token',
  '*.secret',
  '*.key',
  '*.secret_hash',
  '*.secretHash',
  'password',
  'access_token',
  'secret',
];

/** How many bytes of request lines are gathered before one write, and how long the last of them may wait. */
export const REQUEST_LOG_BUFFER_BYTES = 4096;
export const REQUEST_LOG_FLUSH_MS = 1000;

export interface Loggers {
  /** Everything but the request lines: redacted, with the request id (when there is one) from the request context. */
  logger: Logger;
  /** The one line per request (src/platform/logging/request-logging.ts): known fields only, request id included. */
  requestLogger: Logger;
}

/**
 * The process's pino loggers: JSON lines (or pretty ones) to stdout, or to `destination` (the tests).
 *
 * The request lines go apart from the rest, because there is one per request: without redaction or the
 * request-id mixin (they are made of known fields, the request id among them), and on stdout gathered into
 * writes of REQUEST_LOG_BUFFER_BYTES, flushed at least every REQUEST_LOG_FLUSH_MS and when the process exits
 * (pino's own exit handler). A write per line was most of what logging cost a request (README Benchmarks). What
 * a kill -9 can lose is the last second of request lines; every other line (warnings, errors, the lifecycle) is
 * still written the moment it is logged.
 */
export function createLoggers({ level, format, destination }: LoggerOptions): Loggers {
  const common: pino.LoggerOptions = { level, base: { service: 'ecommerce-api' }, timestamp: pino.stdTimeFunctions.isoTime };
  const options: pino.LoggerOptions = {
    ...common,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { request_id: requestId } : {};
    },
  };
  if (format === 'pretty' && !destination) {
    const logger = pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    });
    return { logger, requestLogger: logger.child({}, { redact: [] }) };
  }
  if (destination) return { logger: pino(options, destination), requestLogger: pino(common, destination) };
  const buffered = pino.destination({ dest: 1, sync: false, minLength: REQUEST_LOG_BUFFER_BYTES });
  setInterval(() => buffered.flush(), REQUEST_LOG_FLUSH_MS).unref();
  return { logger: pino(options), requestLogger: pino(common, buffered) };
}
