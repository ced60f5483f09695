import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccountsModule } from '../accounts/accounts.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { appConfig, authConfig, type AppConfig, type AuthConfig } from '../config/configuration';
import { RedisConnection } from '../platform/redis-connection';
import { ApiKeys } from './api-keys';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginAttempts } from './login-attempts';
import { MetricsToken } from './metrics-token';
import { RateLimitGuard } from './rate-limit.guard';
import { SharedThrottlerStorage } from './shared-throttler-storage';
import { SlidingWindowThrottlerStorage } from './throttler-storage';

/**
 * The secret as a key made once, from the same UTF-8 bytes jsonwebtoken takes from the string (tokens issued
 * with either verify with the other). Given the string, jsonwebtoken would try to read it as a PEM key, fail,
 * and make the key anew on every sign and verify.
 */
export function jwtOptions(auth: AuthConfig): JwtModuleOptions {
  return { secret: createSecretKey(Buffer.from(auth.jwtSecret, 'utf8')), signOptions: { algorithm: 'HS256' } };
}

@Global()
@Module({
  imports: [
    AccountsModule,
    ApiKeysModule,
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: jwtOptions,
    }),
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY, RedisConnection],
      useFactory: (app: AppConfig, redis: RedisConnection) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: app.rateLimitPerMinute }],
        // the rate limits and LoginAttempts both count here: across instances with REDIS_URL, else in this
        // instance's memory (the sliding-window storage, constant work per request)
        storage: redis.client ? new SharedThrottlerStorage(redis) : new SlidingWindowThrottlerStorage(),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    ApiKeys,
    MetricsToken,
    AuthService,
    LoginAttempts,
    // order matters: rate limiting first, so that anonymous guessing is limited too
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ApiKeys, LoginAttempts],
})
export class AuthModule {}
