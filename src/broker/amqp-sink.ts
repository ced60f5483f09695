import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { connect, type ChannelModel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import { brokerConfig, type BrokerConfig } from '../config/configuration';
import type { EventResponseDto } from '../events/dto/event-response.dto';
import { EventRelay } from '../events/event-relay';
import type { EventSink } from '../events/event-sink';

/** Reconnect backoff: 250 ms, doubling, with jitter, at most 30 s between attempts, for ever. */
const RECOVERY = { initialDelay: 250, factor: 2, maxDelay: 30_000, jitter: 0.2, maxRetries: Infinity };
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 2_000;

class ConfirmTimeout extends Error {
  constructor(ms: number) {
    super(`RabbitMQ did not confirm the batch within ${ms} ms`);
  }
}

/** Waits for `promise` at most `ms`; true if it settled (either way) in time. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined).then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What one event becomes on the exchange: routing key = type, the event object as the body. */
export function toAmqpMessage(event: EventResponseDto): { routingKey: string; content: Buffer; options: Options.Publish } {
  return {
    routingKey: event.type,
    content: Buffer.from(JSON.stringify(event)),
    options: {
      messageId: event.id,
      type: event.type,
      persistent: true,
      contentType: 'application/json',
      // AMQP timestamps are whole seconds
      timestamp: Math.floor(Date.parse(event.created_at) / 1000),
    },
  };
}

/**
 * Publishes every event of the feed to RabbitMQ when AMQP_URL is set: one durable topic exchange, a confirm
 * channel, and `deliver` resolves only once the broker has confirmed every message of the batch. A nack, a
 * closed channel, a lost connection or a confirm that does not come back within AMQP_CONFIRM_TIMEOUT_MS
 * makes it throw, so the relay hands the same events again: at least once, in feed order.
 *
 * The connection is amqplib's recovering one: the app starts while RabbitMQ is down, and a dropped
 * connection is reopened with backoff (a warning in the log, never a crash). Until it is back `deliver`
 * throws at once and the events wait in the outbox.
 */
@Injectable()
export class AmqpSink implements EventSink, OnModuleInit, OnApplicationShutdown {
  readonly name = 'amqp';
  private readonly logger = new Logger(AmqpSink.name);
  private connection: RecoveringChannelModel | null = null;
  /** The open confirm channel and the connection it belongs to; null while disconnected. */
  private open: { model: ChannelModel; channel: ConfirmChannel } | null = null;
  /** Whether an outage has already been logged, so that each retry does not warn again. */
  private outageLogged = false;

  constructor(
    private readonly relay: EventRelay,
    @Inject(brokerConfig.KEY) private readonly config: BrokerConfig,
  ) {}

  get connected(): boolean {
    return this.open !== null;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.url) return;
    this.relay.registerSink(this);
    const where = `RabbitMQ at ${new URL(this.config.url).host}`; // never the URL: it carries the password
    // waitForConnect: false — resolves at once, so the app starts whether or not RabbitMQ is up
    const connection = await connect(this.config.url, {
      timeout: CONNECT_TIMEOUT_MS,
      recovery: { ...RECOVERY, waitForConnect: false, setup: (model: ChannelModel) => this.openChannel(model) },
    });
    this.connection = connection;
    const firstAttempt = new Promise((resolve) => connection.once('connect', resolve).once('connect-failed', resolve));
    this.connection.on('connect', () => {
      this.outageLogged = false;
      this.logger.log(`Publishing events to exchange "${this.config.exchange}" on ${where}`);
    });
    this.connection.on('disconnect', (error: Error) => {
      this.outageLogged = true;
      this.logger.warn(`Lost the connection to ${where} (${error.message}); reconnecting, events wait in the outbox`);
    });
    this.connection.on('connect-failed', (error: Error) => {
      if (this.outageLogged) return;
      this.outageLogged = true;
      this.logger.warn(`Cannot connect to ${where} (${error.message}); retrying with backoff, events wait in the outbox`);
    });
    this.connection.on('blocked', (reason: string) => this.logger.warn(`${where} blocks publishing: ${reason}`));
    this.connection.on('error', (error: Error) => this.logger.warn(`Connection error from ${where}: ${error.message}`));
    // let the first attempt finish, whatever its outcome, so that the relay's first round does not fail for nothing
    await settlesWithin(firstAttempt, CONNECT_TIMEOUT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.open = null;
    if (!connection) return;
    // a connection whose peer has gone silent never answers the close; do not hold the shutdown for it
    const closed = await settlesWithin(connection.close(), CLOSE_TIMEOUT_MS);
    if (!closed) this.logger.warn('RabbitMQ did not answer the close; leaving the connection');
  }

  async deliver(events: EventResponseDto[]): Promise<void> {
    const open = this.open;
    if (!open) throw new Error('Not connected to RabbitMQ; the events stay in the outbox until it is back');
    const confirms = events.map(
      (event) =>
        new Promise<void>((resolve, reject) => {
          const { routingKey, content, options } = toAmqpMessage(event);
          // the batch is bounded by the relay, so amqplib's write buffer may take it all without waiting for 'drain'
          open.channel.publish(this.config.exchange, routingKey, content, options, (error: unknown) =>
            error ? reject(new Error(`RabbitMQ did not confirm event ${event.id}: ${(error as Error).message ?? error}`)) : resolve(),
          );
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConfirmTimeout(this.config.confirmTimeoutMs)), this.config.confirmTimeoutMs);
    });
    try {
      await Promise.race([Promise.all(confirms), timeout]);
    } catch (error) {
      // no confirm in time: the connection may be half open; start over on a fresh one
      if (error instanceof ConfirmTimeout) this.drop(open);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs after every (re)connect: a confirm channel and the exchange, before any publish. */
  private async openChannel(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    const open = { model, channel };
    channel.on('error', (error: Error) => this.logger.warn(`RabbitMQ closed the publishing channel: ${error.message}`));
    // a channel the broker closed (a deleted exchange, say) takes its connection along, so recovery reopens both
    channel.on('close', () => this.drop(open));
    await channel.assertExchange(this.config.exchange, 'topic', { durable: true });
    this.open = open;
  }

  /** Stops publishing on this channel and closes its connection; the recovering connection then reconnects. */
  private drop(open: { model: ChannelModel; channel: ConfirmChannel }): void {
    if (this.open === open) this.open = null;
    open.model.close().catch(() => undefined); // already closed, or the peer is gone: either way recovery takes over
  }
}
