import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AccountsModule } from './accounts/accounts.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { BrokerModule } from './broker/broker.module';
import {
  appConfig,
  authConfig,
  brokerConfig,
  databaseConfig,
  eventsConfig,
  inventoryConfig,
  redisConfig,
  schedulingConfig,
  webhooksConfig,
} from './config/configuration';
import { validateEnvironment } from './config/env.validation';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { InventoryModule } from './inventory/inventory.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { ReplenishmentModule } from './replenishment/replenishment.module';
import { MetricsModule } from './platform/metrics/metrics.module';
import { ProblemDetailsFilter } from './platform/problem-details.filter';
import { RedisModule } from './platform/redis.module';
import { createValidationPipe } from './platform/validation.pipe';
import { SchedulingModule } from './scheduling/scheduling.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: [
        appConfig,
        databaseConfig,
        authConfig,
        schedulingConfig,
        eventsConfig,
        inventoryConfig,
        webhooksConfig,
        brokerConfig,
        redisConfig,
      ],
      validate: validateEnvironment,
    }),
    ScheduleModule.forRoot(),
    RedisModule,
    DatabaseModule,
    MetricsModule,
    HealthModule,
    AuthModule,
    ApiKeysModule,
    CustomersModule,
    AccountsModule,
    ProductsModule,
    InventoryModule,
    OrdersModule,
    ReplenishmentModule,
    EventsModule,
    WebhooksModule,
    BrokerModule,
    SchedulingModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
