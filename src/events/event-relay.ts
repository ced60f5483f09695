import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { eventsConfig, type EventsConfig } from '../config/configuration';
import { executeCounting, SqlDialect, sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { toEventResponse } from './dto/event-response.dto';
import { OutboxEvent } from './entities/outbox-event.entity';
import type { EventSink } from './event-sink';

/** Events stamped with feed positions per transaction, and handed to a sink per call. */
const STAMP_BATCH = 500;
const SINK_BATCH = 200;

class LeaseLost extends Error {
  constructor() {
    super('the relay lease was taken over');
  }
}

/**
 * The outbox relay. Exactly one instance at a time holds the relay lease (a row in `event_relay_lease`,
 * renewed through the database's clock; a takeover increments its `fence`). The holder
 *  1. stamps committed events that have no feed position yet with the next positions, in id order, in one
 *     transaction that first re-checks the lease row with its fence (and so locks it): a relay that lost
 *     the lease cannot stamp, and two relays can never stamp at once. An event whose transaction took a
 *     lower id but committed later is simply stamped in a later batch: positions follow commit order as the
 *     relay observed it, and positions only ever grow, so feed readers see each event once;
 *  2. hands each sink (webhooks, the broker) the events after that sink's cursor, in position order, and
 *     advances the cursor (again fenced) once the sink has them: delivery at least once, never out of order.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly sql: SqlDialect;
  private readonly sinks: EventSink[] = [];
  private fence: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    @Inject(eventsConfig.KEY) private readonly config: EventsConfig,
  ) {
    this.sql = sqlDialect(dataSource);
  }

  /** Called by destination modules at start-up (onModuleInit). */
  registerSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  get isLeader(): boolean {
    return this.fence !== null;
  }

  onApplicationBootstrap(): void {
    if (this.config.relayEnabled) this.schedule();
  }

  /** Stops the loop and hands the lease back (before the pool closes), so that another instance takes over at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.fence === null) return;
    await this.tx
      .run(({ manager }) =>
        manager.query(`UPDATE event_relay_lease SET expires_at = NULL WHERE name = 'relay' AND holder = ? AND fence = ?`, [
          this.holder,
          this.fence,
        ]),
      )
      .catch((error: Error) => this.logger.warn(`Could not hand the relay lease back: ${error.message}`));
    this.fence = null;
  }

  /** One round: hold the lease, stamp, feed the sinks. Public so that tests can drive the relay step by step. */
  async runOnce(): Promise<void> {
    if (!(await this.holdLease())) return;
    try {
      while ((await this.stamp()) === STAMP_BATCH && !this.stopped);
      for (const sink of this.sinks) await this.feed(sink);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      this.logger.warn('Lost the relay lease to another instance');
      this.fence = null;
    }
  }

  /** The highest position every sink has taken (what retention may delete up to). */
  async takenUpTo(): Promise<number> {
    const { slowest, stamped } = await this.tx.run(async ({ manager }) => ({
      slowest: await this.slowestCursor(manager),
      stamped: (await manager.query('SELECT MAX(position) AS max FROM events')) as { max: string | number | null }[],
    }));
    return Math.min(Number(stamped[0]?.max ?? 0), slowest);
  }

  /**
   * The events not yet taken by every sink: those not stamped yet, and those after the slowest sink's cursor; and the
   * age of the oldest of them (0 when there are none). Index reads only, whatever the size of the table: positions
   * are stamped one after another without gaps and only events every sink has taken are purged, so the stamped ones
   * waiting number MAX(position) minus that cursor, and the first of them is the one just after it (of the unstamped
   * ones, the lowest id). For GET /metrics.
   */
  async backlog(): Promise<{ events: number; oldestAgeSeconds: number }> {
    const { manager } = this.dataSource;
    const slowest = await this.slowestCursor(manager);
    const age = this.sql.secondsSince('created_at');
    const [row]: { last: string | number | null; unstamped: string | number; unstamped_age: unknown; untaken_age: unknown }[] =
      await manager.query(
        `SELECT (SELECT MAX(position) FROM events) AS last,
                (SELECT COUNT(*) FROM events WHERE position IS NULL) AS unstamped,
                (SELECT ${age} FROM events WHERE id = (SELECT MIN(id) FROM events WHERE position IS NULL)) AS unstamped_age,
                (SELECT ${age} FROM events WHERE position > ? ORDER BY position LIMIT 1) AS untaken_age`,
        [Math.min(slowest, Number.MAX_SAFE_INTEGER)],
      );
    const last = Number(row.last ?? 0);
    const ages = [row.unstamped_age, row.untaken_age].filter((value) => value !== null).map(Number);
    return {
      events: Number(row.unstamped) + last - Math.min(slowest, last),
      // never below 0: on a cluster, the node that wrote the event may have a clock a little ahead
      oldestAgeSeconds: Math.max(0, ...ages),
    };
  }

  /** The position every sink of this instance has taken up to: the lowest cursor, 0 for a sink without one yet. */
  private async slowestCursor(manager: EntityManager): Promise<number> {
    const rows: { sink: string; position: string | number }[] = await manager.query('SELECT sink, position FROM event_sink_cursors');
    const cursors = new Map(rows.map((row) => [row.sink, Number(row.position)]));
    // Infinity without sinks: then nothing stamped waits
    return Math.min(...this.sinks.map((sink) => cursors.get(sink.name) ?? 0));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: Error) => this.logger.error(`Relay round failed: ${error.stack}`))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.config.relayIntervalMs);
  }

  /** Renews the lease this instance holds, or takes it over once it has expired. */
  private async holdLease(): Promise<boolean> {
    if (this.fence !== null && (await this.renew())) return true;
    this.fence = null;
    const fence = await this.tx.run(async ({ manager }) => {
      const taken = await executeCounting(
        manager,
        `UPDATE event_relay_lease SET holder = ?, fence = fence + 1, expires_at = ${this.sql.nowPlusMs}
          WHERE name = 'relay' AND (expires_at IS NULL OR expires_at < ${this.sql.now})`,
        [this.holder, this.config.relayLeaseMs],
      );
      if (taken !== 1) return null;
      const [row] = await manager.query(`SELECT fence FROM event_relay_lease WHERE name = 'relay'`);
      return Number(row.fence);
    });
    if (fence === null) return false;
    this.fence = fence;
    this.logger.log(`Holding the relay lease (fence ${fence})`);
    return true;
  }

  private renew(): Promise<boolean> {
    return this.tx.run(async ({ manager }) => {
      try {
        await this.assertLease(manager);
        return true;
      } catch (error) {
        if (error instanceof LeaseLost) return false;
        throw error;
      }
    });
  }

  /** Extends the lease if this instance still holds it with its fence; locks the row until commit. */
  private async assertLease(manager: EntityManager): Promise<void> {
    const renewed = await executeCounting(
      manager,
      `UPDATE event_relay_lease SET expires_at = ${this.sql.nowPlusMs} WHERE name = 'relay' AND holder = ? AND fence = ?`,
      [this.config.relayLeaseMs, this.holder, this.fence],
    );
    if (renewed !== 1) throw new LeaseLost();
  }

  /** Stamps the next batch of unstamped committed events; returns how many. */
  private stamp(): Promise<number> {
    return this.tx.run(async ({ manager }) => {
      await this.assertLease(manager);
      const pending = await manager.find(OutboxEvent, {
        select: { id: true },
        where: { position: IsNull() },
        order: { id: 'ASC' },
        take: STAMP_BATCH,
      });
      if (!pending.length) return 0;
      const [{ max }] = await manager.query('SELECT MAX(position) AS max FROM events');
      let next = Number(max ?? 0);
      const cases = pending.map(() => 'WHEN ? THEN ?').join(' ');
      const parameters = pending.flatMap((event) => [event.id, ++next]);
      await manager.query(`UPDATE events SET position = CASE id ${cases} END WHERE id IN (${pending.map(() => '?').join(',')})`, [
        ...parameters,
        ...pending.map((event) => event.id),
      ]);
      return pending.length;
    });
  }

  /** Hands a sink the events after its cursor, batch by batch, advancing the cursor after each. */
  private async feed(sink: EventSink): Promise<void> {
    for (;;) {
      const { cursor, events } = await this.tx.run(async ({ manager }) => {
        await manager.query(
          `INSERT INTO event_sink_cursors (sink, position) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM event_sink_cursors WHERE sink = ?)`,
          [sink.name, sink.name],
        );
        const [row] = await manager.query('SELECT position FROM event_sink_cursors WHERE sink = ?', [sink.name]);
        const from = Number(row.position);
        return {
          cursor: from,
          events: await manager.find(OutboxEvent, { where: { position: MoreThan(from) }, order: { position: 'ASC' }, take: SINK_BATCH }),
        };
      });
      if (!events.length || this.stopped) return;
      await sink.deliver(events.map(toEventResponse));
      await this.tx.run(async ({ manager }) => {
        await this.assertLease(manager);
        await manager.query('UPDATE event_sink_cursors SET position = ? WHERE sink = ? AND position = ?', [
          events.at(-1)!.position,
          sink.name,
          cursor,
        ]);
      });
      if (events.length < SINK_BATCH) return;
    }
  }
}
