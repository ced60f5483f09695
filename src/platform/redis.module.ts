import { Global, Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection';

/** The one connection to the optional Redis (REDIS_URL), for the rate and login limits and GET /health. */
@Global()
@Module({
  providers: [RedisConnection],
  exports: [RedisConnection],
})
export class RedisModule {}
