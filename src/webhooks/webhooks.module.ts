import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSink } from './webhook-sink';
import { WebhooksController } from './webhooks.controller';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksService } from './webhooks.service';

/**
 * Owns `webhooks`, `webhook_deliveries` and `webhook_delivery_attempts`. The sink turns what the relay hands over
 * into deliveries; the dispatcher sends them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook, WebhookDelivery, WebhookDeliveryAttempt]), EventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookSink, WebhookDispatcher, WebhooksMetrics],
})
export class WebhooksModule {}
