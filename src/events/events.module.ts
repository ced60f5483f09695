import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxEvent } from './entities/outbox-event.entity';
import { EventRelay } from './event-relay';
import { EventsController } from './events.controller';
import { OutboxMetrics } from './events.metrics';
import { EventsService } from './events.service';

/**
 * Owns the outbox (`events`, written through tx.publish), the relay's lease and the sinks' cursors, and
 * serves the feed. Destinations (webhooks, the broker) register themselves with the EventRelay.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEvent])],
  controllers: [EventsController],
  providers: [EventsService, EventRelay, OutboxMetrics],
  exports: [EventsService, EventRelay],
})
export class EventsModule {}
