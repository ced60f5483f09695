import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { redisConfig, type RedisConfig } from '../config/configuration';

/** A command Redis has not answered within this long has failed: a request falls back rather than waits. */
export const REDIS_COMMAND_TIMEOUT_MS = 200;
/** After a failed command Redis is left alone this long: a frozen server would otherwise cost every request the timeout. */
export const REDIS_RETRY_AFTER_FAILURE_MS = 1000;
/** How long the start waits for Redis; it is optional, so the server starts without it and connects later. */
const CONNECT_TIMEOUT_MS = 1000;
const QUIT_TIMEOUT_MS = 1000;

/**
 * The connection to the optional Redis (REDIS_URL) and what this instance knows of its state. Commands fail at
 * once while it is disconnected (no offline queue) and within REDIS_COMMAND_TIMEOUT_MS while it does not answer;
 * ioredis reconnects in the background for ever. Users report each command's outcome (`failed`, `succeeded`),
 * so that one warning is logged when Redis goes away and one line when it is back, however many requests fail
 * in between.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  /** null when REDIS_URL is unset. */
  readonly client: Redis | null;
  private readonly logger = new Logger('Redis');
  /** Where Redis is, for the logs: never the URL, which may carry a password. */
  private readonly where: string;
  private state: 'starting' | 'up' | 'down' = 'starting';
  private pausedUntil = 0;
  private closing = false;

  constructor(@Inject(redisConfig.KEY) config: RedisConfig) {
    const url = config.url ? new URL(config.url) : null;
    this.where = url ? `${url.hostname}:${url.port || 6379}` : '';
    this.client = config.url
      ? new Redis(config.url, {
          keyPrefix: config.keyPrefix,
          lazyConnect: true,
          connectTimeout: CONNECT_TIMEOUT_MS,
          commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
          // a command is answered now or fails now: none waits for a reconnection, none is sent twice
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          autoResendUnfulfilledCommands: false,
          retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
          connectionName: 'ecommerce-api',
        })
      : null;
  }

  /** Whether commands are worth sending now: connected, and not within a pause after a failure. */
  get usable(): boolean {
    return this.client?.status === 'ready' && Date.now() >= this.pausedUntil;
  }

  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client) return;
    // ioredis emits an error for every failed reconnection: the state change is what the log needs
    client.on('error', (error: Error) => this.markDown(error.message));
    client.on('close', () => this.markDown('the connection closed'));
    client.on('ready', () => this.markUp());
    try {
      await client.connect();
    } catch (error) {
      this.markDown((error as Error).message);
    }
  }

  /** A command failed or timed out: Redis counts as away until a command succeeds or the connection is ready again. */
  failed(error: Error): void {
    this.pausedUntil = Date.now() + REDIS_RETRY_AFTER_FAILURE_MS;
    this.markDown(error.message);
  }

  succeeded(): void {
    this.markUp();
  }

  /** For GET /health: true if Redis answers a PING now (within REDIS_COMMAND_TIMEOUT_MS). */
  async ping(): Promise<boolean> {
    if (this.client?.status !== 'ready') return false;
    try {
      await this.client.ping();
      this.succeeded();
      return true;
    } catch (error) {
      this.failed(error as Error);
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.closing = true;
    if (client.status !== 'ready') {
      // stops the reconnection attempts of a client that is not through
      client.disconnect();
      return;
    }
    const ended = new Promise((resolve) => client.once('end', resolve));
    const giveUp = () => new Promise((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS).unref());
    // QUIT lets Redis answer what was sent before it; a Redis that does not answer is left behind
    await Promise.race([client.quit().catch(() => undefined), giveUp()]);
    client.disconnect();
    await Promise.race([ended, giveUp()]);
  }

  private markDown(reason: string): void {
    if (this.closing || this.state === 'down') return;
    this.state = 'down';
    this.logger.warn(`Redis at ${this.where} does not answer (${reason}): rate and login limits are counted per instance until it is back`);
  }

  private markUp(): void {
    if (this.closing || this.state === 'up') return;
    this.pausedUntil = 0;
    this.logger.log(
      this.state === 'down'
        ? `Redis at ${this.where} answers again: rate and login limits are counted across instances`
        : `Rate and login limits are counted across instances in Redis at ${this.where}`,
    );
    this.state = 'up';
  }
}
