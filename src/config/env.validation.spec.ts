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
    [{ DEMAND_WINDOW_DAYS: '0' }, 'DEMAND_WINDOW_DAYS'],
    [{ DEMAND_WINDOW_DAYS: 'four weeks' }, 'DEMAND_WINDOW_DAYS'],
  ])('stops with one line naming the variable for %p', (env, variable) => {
    expect(() => validateEnvironment(env)).toThrow(new RegExp(`^Invalid configuration: .*${variable}`));
    try {
      validateEnvironment(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
