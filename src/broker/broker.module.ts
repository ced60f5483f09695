import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { AmqpSink } from './amqp-sink';

/** Publishes the event feed to RabbitMQ when AMQP_URL is set; without it, registers nothing. */
@Module({
  imports: [EventsModule],
  providers: [AmqpSink],
})
export class BrokerModule {}
