import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { eventsConfig, type EventsConfig } from '../config/configuration';
import { TransactionRunner } from '../database/transaction-runner';
import { EventFeedPageDto, toEventResponse } from './dto/event-response.dto';
import { EventFeedQueryDto } from './dto/event-feed-query.dto';
import { OutboxEvent } from './entities/outbox-event.entity';
import { decodeCursor, encodeCursor } from './feed-cursor';

/** Owns the `events` outbox's reads: the feed, and the retention purge. */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(
    @InjectRepository(OutboxEvent) private readonly eventsRepository: Repository<OutboxEvent>,
    private readonly tx: TransactionRunner,
    @Inject(eventsConfig.KEY) private readonly config: EventsConfig,
  ) {}

  /**
   * Events after the cursor, oldest first by feed position: the order in which the relay saw them commit.
   * Positions are stamped once and only ever increase, so paging with next_cursor sees each event once.
   * An index range read on (position) or (type, position), whatever the size of the table.
   */
  async feed(query: EventFeedQueryDto): Promise<EventFeedPageDto> {
    const after = decodeCursor(query.after);
    const events = await this.eventsRepository.find({
      where: { position: MoreThan(after), ...(query.type && { type: In(query.type) }) },
      order: { position: 'ASC' },
      take: query.limit,
    });
    const last = events.at(-1)?.position ?? after;
    return { items: events.map(toEventResponse), next_cursor: encodeCursor(last) };
  }

  /**
   * Deletes events older than the retention (EVENTS_RETENTION_DAYS, at least 30) that every destination has
   * taken; an event not yet stamped or not yet taken by a sink is kept whatever its age.
   */
  async purgeExpired(takenUpTo: number): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.retentionDays * 86_400_000);
    const { affected } = await this.tx.run(({ manager }) =>
      manager.delete(OutboxEvent, { createdAt: LessThan(cutoff), position: LessThanOrEqual(takenUpTo) }),
    );
    if (affected) this.logger.log(`Purged ${affected} event(s) older than ${this.config.retentionDays} days`);
    return affected ?? 0;
  }
}
