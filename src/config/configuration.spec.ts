import { appConfig, authConfig, webhooksConfig } from './configuration';

describe('authConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const load = (env: Record<string, string>) => {
    process.env = { ...saved, API_KEYS: '', JWT_SECRET: '', ...env };
    return authConfig();
  };

  it('refuses to start in production without API_KEYS', () => {
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET: 's' })).toThrow('Invalid configuration: API_KEYS must be set in production');
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => load({ NODE_ENV: 'production', API_KEYS: 'k' })).toThrow('Invalid configuration: JWT_SECRET must be set in production');
  });

  it('accepts the development key outside production, and only then', () => {
    expect(load({ NODE_ENV: 'development' }).apiKeys).toEqual(['dev-api-key']);
    expect(load({ NODE_ENV: 'production', API_KEYS: 'a, b', JWT_SECRET: 's' }).apiKeys).toEqual(['a', 'b']);
  });

  it('reads token lifetimes in seconds, minutes, hours and days', () => {
    expect(load({ JWT_EXPIRES_IN: '90' }).jwtExpiresInSeconds).toBe(90);
    expect(load({ JWT_EXPIRES_IN: '15m' }).jwtExpiresInSeconds).toBe(900);
    expect(load({ JWT_EXPIRES_IN: '1h' }).jwtExpiresInSeconds).toBe(3600);
    expect(load({ JWT_EXPIRES_IN: '2d' }).jwtExpiresInSeconds).toBe(172800);
  });
});

describe('appConfig.trustProxy', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const trustProxy = (value: string) => {
    process.env = { ...saved, TRUST_PROXY: value };
    return appConfig().trustProxy;
  };

  it('reads true, false and proxy addresses as Fastify takes them', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('10.0.0.0/8,127.0.0.1')).toBe('10.0.0.0/8,127.0.0.1');
  });

  it('trusts exactly the given number of hops', () => {
    const trust = trustProxy('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trust('10.0.0.1', hop))).toEqual([true, true, false]);
  });
});

describe('webhooksConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const load = (env: Record<string, string>) => {
    process.env = { ...saved, NODE_ENV: 'development', WEBHOOK_ALLOW_LOOPBACK: '', WEBHOOK_RETRY_SCHEDULE: '', WEBHOOK_DISABLE_AFTER: '', ...env };
    return webhooksConfig();
  };

  it('reads the default retry schedule and disabling delay as milliseconds', () => {
    expect(load({})).toMatchObject({
      timeoutMs: 10_000,
      retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      disableAfterMs: 432_000_000,
    });
    expect(load({ WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms' }).retryScheduleMs).toEqual([100, 100, 100]);
  });

  it('refuses loopback receivers in production unless WEBHOOK_ALLOW_LOOPBACK=true, and allows them elsewhere unless it is false', () => {
    const production = { NODE_ENV: 'production', API_KEYS: 'k', JWT_SECRET: 's' };
    expect(load(production).allowLoopback).toBe(false);
    expect(load({ ...production, WEBHOOK_ALLOW_LOOPBACK: 'true' }).allowLoopback).toBe(true);
    expect(load({}).allowLoopback).toBe(true);
    expect(load({ WEBHOOK_ALLOW_LOOPBACK: 'false' }).allowLoopback).toBe(false);
  });
});
