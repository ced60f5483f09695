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
      WEBHOOK_TIMEOUT_MS: 10000,
      WEBHOOK_RETRY_SCHEDULE: '5s,5m,30m,2h,5h,10h,10h',
      WEBHOOK_DISABLE_AFTER: '5d',
    });
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
  ])('stops with one line naming the variable for %p', (env, variable) => {
    expect(() => validateEnvironment(env)).toThrow(new RegExp(`^Invalid configuration: .*${variable}`));
    try {
      validateEnvironment(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
