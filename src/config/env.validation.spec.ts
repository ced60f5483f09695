import { validateEnvironment } from './env.validation';

describe('validateEnvironment', () => {
  it('applies the contract defaults to an empty environment', () => {
    expect(validateEnvironment({})).toMatchObject({
      PORT: 3000,
      DB_TYPE: 'sqlite',
      DB_PATH: 'data/ecommerce.sqlite',
      DB_HOST: '127.0.0.1',
      DB_PORT: 3306,
      DB_USERNAME: 'root',
      DB_PASSWORD: '',
      DB_DATABASE: 'ecommerce',
      JWT_EXPIRES_IN: '1h',
      RESTOCK_CRON: '0 * * * * *',
      DEMAND_WINDOW_DAYS: 28,
      WEBHOOK_TIMEOUT_MS: 10000,
      WEBHOOK_RETRY_SCHEDULE: '5s,5m,30m,2h,5h,10h,10h',
      WEBHOOK_DISABLE_AFTER: '5d',
    });
  });

  it('leaves the broker off by default and accepts amqp:// and amqps:// URLs', () => {
    expect(validateEnvironment({})).toMatchObject({
      AMQP_URL: undefined,
      AMQP_EXCHANGE: 'ecommerce.events',
      AMQP_CONFIRM_TIMEOUT_MS: 10000,
    });
    for (const url of ['amqp://guest:guest@127.0.0.1:5672', 'amqps://svc:s3cret@rabbit.internal:5671/prod', 'amqp://rabbitmq']) {
      expect(validateEnvironment({ AMQP_URL: url }).AMQP_URL).toBe(url);
    }
  });

  it('leaves Redis off by default and accepts redis:// and rediss:// URLs', () => {
    expect(validateEnvironment({})).toMatchObject({ REDIS_URL: undefined, REDIS_KEY_PREFIX: 'ecommerce:' });
    for (const url of ['redis://127.0.0.1:6379', 'rediss://:s3cret@cache.internal:6380/1', 'redis://redis', 'redis://[::1]:6379']) {
      expect(validateEnvironment({ REDIS_URL: url }).REDIS_URL).toBe(url);
    }
  });

  it('leaves METRICS_TOKEN unset by default, and takes one that a Bearer header can carry as it is', () => {
    expect(validateEnvironment({}).METRICS_TOKEN).toBeUndefined();
    for (const token of ['0f3a9c1e7b2d4a6f8e0c1b3d5f7a9e2c', 'abc-DEF_123.~+/xyz==']) {
      expect(validateEnvironment({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
    }
    for (const token of ['two words', 'quote"d', 'new\nline', 'é']) {
      expect(() => validateEnvironment({ METRICS_TOKEN: token })).toThrow('Invalid configuration: METRICS_TOKEN must be letters, digits');
    }
  });

  it('converts numeric strings', () => {
    expect(validateEnvironment({ PORT: '8080', DB_PORT: '3307' })).toMatchObject({ PORT: 8080, DB_PORT: 3307 });
  });

  it.each([
    [{ DB_TYPE: 'postgres' }, 'DB_TYPE'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ RESTOCK_CRON: 'every minute' }, 'RESTOCK_CRON'],
    [{ RESTOCK_CRON: '99 * * * * *' }, 'RESTOCK_CRON'],
    [{ DB_DATABASE: 'shop; DROP' }, 'DB_DATABASE'],
    [{ JWT_EXPIRES_IN: 'forever' }, 'JWT_EXPIRES_IN'],
    [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY'],
    // true believes every X-Forwarded-For entry, so any client could pick its address
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    // /0 trusts every address, which is true by another name
    [{ TRUST_PROXY: '0.0.0.0/0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.1,::/0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.300' }, 'TRUST_PROXY'],
    // every token would be refused at once
    [{ JWT_EXPIRES_IN: '0' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '59s' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '25h' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '99999999999999999999d' }, 'JWT_EXPIRES_IN'],
    [{ DEMAND_WINDOW_DAYS: '0' }, 'DEMAND_WINDOW_DAYS'],
    [{ DEMAND_WINDOW_DAYS: 'four weeks' }, 'DEMAND_WINDOW_DAYS'],
    [{ WEBHOOK_TIMEOUT_MS: '10s' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_TIMEOUT_MS: '50' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_RETRY_SCHEDULE: '5s,5 minutes' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: '5s,,5m' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: '0s' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: '31d' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: Array(21).fill('1s').join(',') }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_DISABLE_AFTER: 'a week' }, 'WEBHOOK_DISABLE_AFTER'],
    [{ WEBHOOK_DISABLE_AFTER: '0d' }, 'WEBHOOK_DISABLE_AFTER'],
    [{ WEBHOOK_ALLOW_LOOPBACK: 'yes' }, 'WEBHOOK_ALLOW_LOOPBACK'],
    [{ WEBHOOK_DISPATCH_INTERVAL_MS: 'often' }, 'WEBHOOK_DISPATCH_INTERVAL_MS'],
    [{ AMQP_URL: 'http://rabbit:5672' }, 'AMQP_URL'],
    [{ AMQP_URL: 'rabbit:5672' }, 'AMQP_URL'],
    [{ AMQP_EXCHANGE: 'amq.topic' }, 'AMQP_EXCHANGE'],
    [{ AMQP_EXCHANGE: 'order events' }, 'AMQP_EXCHANGE'],
    [{ AMQP_CONFIRM_TIMEOUT_MS: '10' }, 'AMQP_CONFIRM_TIMEOUT_MS'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: '127.0.0.1:6379' }, 'REDIS_URL'],
    [{ REDIS_KEY_PREFIX: 'two words' }, 'REDIS_KEY_PREFIX'],
  ])('stops with one line naming the variable for %p', (env, variable) => {
    expect(() => validateEnvironment(env)).toThrow(new RegExp(`^Invalid configuration: .*${variable}`));
    try {
      validateEnvironment(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('validateEnvironment: accepted values at the edges', () => {
  it.each(['60', '1m', '24h', '1d', '86400'])('accepts JWT_EXPIRES_IN=%s (60 s to 24 h)', (value) => {
    expect(validateEnvironment({ JWT_EXPIRES_IN: value }).JWT_EXPIRES_IN).toBe(value);
  });

  it.each(['false', '1', '10', '10.0.0.0/8,127.0.0.1', '192.0.2.7', 'fd00::/8, ::1'])('accepts TRUST_PROXY=%s', (value) => {
    expect(validateEnvironment({ TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
  });
});
