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

/** The one pino logger of the process: JSON lines (or pretty ones), each with the request id when there is one. */
export function createLogger({ level, format, destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'ecommerce-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { request_id: requestId } : {};
    },
  };
  if (format === 'pretty' && !destination) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    });
  }
  return destination ? pino(options, destination) : pino(options);
}
